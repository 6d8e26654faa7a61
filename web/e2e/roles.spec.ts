/** Each role signs in and sees only what it may. */

import { expect, test } from "@playwright/test";
import { casesOf, signIn, signOut } from "./support";

const menu = (page: import("@playwright/test").Page) => page.getByRole("navigation", { name: "Menu principal" });

test("an admin administers users and sees every court", async ({ page }) => {
  await signIn(page, "admin");
  await expect(menu(page).getByRole("link", { name: "Utilisateurs" })).toBeVisible();
  await menu(page).getByRole("link", { name: "Utilisateurs" }).click();
  await expect(page.getByRole("cell", { name: "clerk", exact: true })).toBeVisible();
  await expect(page.getByRole("cell", { name: "citizen", exact: true })).toBeVisible();
});

test("a clerk registers and lists cases but administers no users", async ({ page }) => {
  await signIn(page, "clerk");
  await expect(menu(page).getByRole("link", { name: "Nouveau dossier" })).toBeVisible();
  await expect(menu(page).getByRole("link", { name: "Utilisateurs" })).toHaveCount(0);
  await expect(page.getByTestId("case-link").first()).toBeVisible();
  await page.goto("/#/users");
  await expect(page.getByRole("alert")).toContainText("Votre rôle ne permet pas cette action.");
});

test("a judge sees the courts served, not another court's files", async ({ page, request }) => {
  const [commercial] = await casesOf(request, "TC-CASABLANCA");
  await signIn(page, "judge");
  await expect(page.getByRole("heading", { name: "Audiences du jour" })).toBeVisible();
  await expect(menu(page).getByRole("link", { name: "Nouveau dossier" })).toHaveCount(0);
  await expect(menu(page).getByRole("link", { name: "Utilisateurs" })).toHaveCount(0);
  await page.goto(`/#/cases/${commercial?.id}/details`);
  await expect(page.getByRole("alert")).toContainText("Ressource introuvable.");
});

test("a lawyer sees the cases where counsel, and no court lists", async ({ page, request }) => {
  const rabat = await casesOf(request, "TPI-RABAT");
  const divorce = rabat.find((row) => row.file_number.includes("/1601/"));
  await signIn(page, "lawyer");
  await expect(menu(page).getByRole("link", { name: "Dossiers" })).toHaveCount(0);
  const links = page.getByTestId("case-link");
  await expect(links.filter({ hasText: "/1201/" })).toHaveCount(1);
  await expect(links.filter({ hasText: "/8201/" })).toHaveCount(1);
  await expect(links.filter({ hasText: "/1601/" })).toHaveCount(0);
  await page.goto(`/#/cases/${divorce?.id}/details`);
  await expect(page.getByRole("alert")).toContainText("Ressource introuvable.");
});

test("a citizen sees only the cases where a party", async ({ page, request }) => {
  const rabat = await casesOf(request, "TPI-RABAT");
  const land = rabat.find((row) => row.file_number === "1/1201/" + row.file_number.split("/")[2]);
  await signIn(page, "citizen");
  const links = page.getByTestId("case-link");
  await expect(links.filter({ hasText: new RegExp(`^${land?.file_number}$`) })).toHaveCount(1);
  await expect(links.filter({ hasText: "/1601/" })).toHaveCount(0);
  await expect(links.filter({ hasText: "/8201/" })).toHaveCount(0);
  await links.filter({ hasText: new RegExp(`^${land?.file_number}$`) }).click();
  await page.getByRole("link", { name: "Parties et avocats" }).click();
  await expect(page.getByRole("cell", { name: /Salma Mouwatina/ })).toBeVisible();
});

test("an admin creates a user, who must choose a password at first sign-in", async ({ page }) => {
  const username = `greffier.${Date.now().toString(36)}`;
  await signIn(page, "admin");
  await page.goto("/#/users");
  await page.getByRole("button", { name: "Créer un utilisateur" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.locator("input[name=username]").fill(username);
  await dialog.locator("input[name=full_name]").fill("Hassan Greffier");
  await dialog.locator("select[name=role]").selectOption("CLERK");
  await dialog.locator("select[name=courts]").selectOption(["TPI-SALE"]);
  await dialog.getByRole("button", { name: "Créer un utilisateur" }).click();
  const temporary = (await page.getByTestId("temporary-password").textContent()) ?? "";
  expect(temporary.length).toBeGreaterThan(8);
  await page.getByRole("dialog").getByRole("button", { name: "Fermer" }).click();
  await expect(page.getByRole("cell", { name: username, exact: true })).toBeVisible();
  await signOut(page);

  await page.locator("input[name=username]").fill(username);
  await page.locator("input[name=password]").fill(temporary);
  await page.locator("form button[type=submit]").click();
  await expect(page.getByRole("heading", { name: "Choisir un nouveau mot de passe" })).toBeVisible();
  await page.locator("input[name=new-password]").fill("court");
  await page.locator("input[name=confirm-password]").fill("court");
  await page.getByRole("button", { name: "Changer et se connecter" }).click();
  await expect(page.getByText("Le mot de passe ne respecte pas les règles.")).toBeVisible();
  await page.locator("input[name=new-password]").fill("Salé-Greffe-2026!");
  await page.locator("input[name=confirm-password]").fill("Salé-Greffe-2026!");
  await page.getByRole("button", { name: "Changer et se connecter" }).click();
  await expect(page.getByTestId("user-name")).toContainText("Hassan Greffier");
  await expect(page.getByRole("heading", { name: "Tribunal de première instance de Salé" })).toBeVisible();
});
