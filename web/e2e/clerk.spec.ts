/**
 * A clerk registers a case (field messages first), uploads a real scan with
 * the progress bar, waits until it is read and sealed, checks the seal, and
 * finds the case again by a word of its text.
 */

import path from "node:path";
import { expect, test } from "@playwright/test";
import { SAMPLES, screenshot, signIn, signOut } from "./support";

const SCAN = "ar_ocrgs_yacqubi_tarikh_line_000000.png";

test("a clerk registers a case, uploads a scan and sees it signed", async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, "clerk");
  await page.goto("/#/cases/new");
  await page.getByRole("button", { name: "Enregistrer le dossier" }).click();
  await expect(page.locator(".field-error:visible").first()).toBeVisible();
  await expect(page.locator("#" + (await page.locator("textarea[name=subject]").getAttribute("id")) + "-error")).toHaveText("Ce champ est obligatoire.");

  await page.locator("select[name=court_code]").selectOption("TPI-RABAT");
  await page.locator("select[name=case_type_code]").selectOption("1201");
  await page.locator("textarea[name=subject]").fill("Litige foncier — essai de bout en bout");
  await page.locator("input[name=name]").fill("سعيد المختبر");
  await page.locator("input[name=national_id]").fill("12AB");
  await page.getByRole("button", { name: "Enregistrer le dossier" }).click();
  await expect(page.locator("input[name=national_id]")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText("CIN : une ou deux lettres puis des chiffres, ex. BK123456.").last()).toBeVisible();
  await screenshot(page, "fr", "register-errors");

  await page.locator("input[name=national_id]").fill("ab123456");
  await page.getByRole("button", { name: "Enregistrer le dossier" }).click();
  const registered = page.getByTestId("registered");
  await expect(registered).toBeVisible();
  const number = (await registered.locator(".file-number").textContent()) ?? "";
  expect(number).toMatch(/^\d+\/1201\/\d{4}$/);

  await page.getByTestId("go-documents").click();
  await page.locator("input[type=file]").setInputFiles(path.join(SAMPLES, SCAN));
  await page.getByRole("button", { name: "Envoyer" }).click();
  await expect(page.locator("progress")).toHaveAttribute("value", "100");
  await expect(page.getByTestId("upload-steps")).toHaveAttribute("data-status", "SIGNED", { timeout: 90_000 });
  await screenshot(page, "fr", "documents-uploaded");

  await page.getByRole("link", { name: `Ouvrir ${SCAN}` }).click();
  const text = page.getByTestId("ocr-text").locator(".ocr-text").first();
  await expect(text).not.toBeEmpty();
  await page.getByRole("button", { name: "Vérifier la signature" }).click();
  await expect(page.getByTestId("verification-result")).toContainText("Signature valide");
  await screenshot(page, "fr", "document");

  // Search finds the case by a word read from the scan (indexing is asynchronous).
  const words = ((await text.textContent()) ?? "").split(/\s+/).filter((word) => word.length >= 4);
  const word = words.sort((a, b) => b.length - a.length)[0] ?? "";
  expect(word).not.toBe("");
  await expect(async () => {
    await page.goto(`/#/search?q=${encodeURIComponent(word)}`);
    await page.reload(); // the same address again does not search again
    await expect(page.getByTestId("search-result").filter({ hasText: number })).not.toHaveCount(0, { timeout: 2_000 });
  }).toPass({ timeout: 45_000 });
  await screenshot(page, "fr", "search");

  // Hearings: schedule one for tomorrow, then reserve the file for judgment.
  await page.getByTestId("search-result").filter({ hasText: number }).first().getByRole("link").click();
  await page.goto(page.url().replace(/\/documents\/.*$/, "/hearings"));
  await page.getByRole("button", { name: "Programmer une audience" }).click();
  const tomorrow = new Date(Date.now() + 86_400_000);
  const day = `${tomorrow.getFullYear()}-${String(tomorrow.getMonth() + 1).padStart(2, "0")}-${String(tomorrow.getDate()).padStart(2, "0")}`;
  const dialog = page.getByRole("dialog");
  await dialog.locator("input[name=starts_at]").fill(`${day}T10:30`);
  await dialog.locator("input[name=room]").fill("Salle 4");
  await dialog.locator("select[name=judge]").selectOption("judge");
  await dialog.getByRole("button", { name: "Enregistrer" }).click();
  await expect(page.getByRole("cell", { name: "Salle 4" })).toBeVisible();
  await expect(page.locator(".card-header [data-status=SCHEDULED]")).toBeVisible();
  await page.getByRole("button", { name: "Renvoyer" }).click();
  const later = new Date(Date.now() + 8 * 86_400_000);
  const laterDay = `${later.getFullYear()}-${String(later.getMonth() + 1).padStart(2, "0")}-${String(later.getDate()).padStart(2, "0")}`;
  await page.getByRole("dialog").locator("input[name=starts_at]").fill(`${laterDay}T09:00`);
  await page.getByRole("dialog").locator("textarea[name=reason]").fill("Absence du défendeur, convocation à renouveler");
  await page.getByRole("dialog").getByRole("button", { name: "Enregistrer" }).click();
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await page.getByRole("link", { name: "Procédures" }).click();
  await expect(page.getByRole("cell", { name: "Absence du défendeur, convocation à renouveler" })).toBeVisible();
  await screenshot(page, "fr", "card-timeline-after-hearing");

  // The registry links the file to the seeded land case of the same court.
  await page.getByRole("link", { name: "Dossiers liés" }).click();
  await page.getByRole("button", { name: "Lier un dossier" }).click();
  await page.getByRole("dialog").locator("select[name=kind]").selectOption("joined_with");
  await page.getByRole("dialog").locator("input[name=number]").fill(`1/1201/${number.split("/")[2]}`);
  await page.getByRole("dialog").getByRole("button", { name: "Enregistrer" }).click();
  await expect(page.getByRole("cell", { name: "Joint à" })).toBeVisible();
  const caseUrl = page.url().replace(/\/links$/, "/details");

  // ... and joins the defendant, a company, with its counsel.
  await page.getByRole("link", { name: "Parties et avocats" }).click();
  await page.getByRole("button", { name: "Ajouter une partie" }).click();
  const party = page.getByRole("dialog");
  await party.locator("select[name=role]").selectOption("defendant");
  await party.locator("select[name=kind]").selectOption("legal");
  await party.locator("input[name=name]").fill("Immobilière Al Amal SARL");
  await party.locator("input[name=trade_register]").fill("RC-77123");
  await party.getByText("Représenté par un avocat").click();
  await party.locator("input[name=bar]").fill("Rabat");
  await party.locator("input[name=roll_number]").fill("5678");
  await party.getByRole("button", { name: "Enregistrer" }).click();
  await expect(page.getByRole("cell", { name: "Immobilière Al Amal SARL", exact: true })).toBeVisible();
  await screenshot(page, "fr", "card-parties-added");

  // The judge records the judgment with the signed scan as its document.
  await signOut(page);
  await signIn(page, "judge");
  await page.goto(caseUrl);
  await page.getByRole("button", { name: "Enregistrer le jugement" }).click();
  const judgment = page.getByRole("dialog");
  // Today at the court (after midnight in Morocco it is already tomorrow in UTC).
  const clock = (await (await page.request.get("/api/public/courts")).json()) as { court_date: string };
  await judgment.locator("input[name=pronounced_on]").fill(clock.court_date);
  await judgment.locator("textarea[name=operative_part]").fill("حكمت المحكمة علنيا ابتدائيا حضوريا بقبول الطلب.");
  await judgment.locator("select[name=document_id]").selectOption({ label: SCAN });
  await judgment.getByRole("button", { name: "Enregistrer" }).click();
  await expect(page.locator(".card-header [data-status=JUDGED]")).toBeVisible();
  await expect(page.getByRole("cell", { name: /حكمت المحكمة/ })).toBeVisible();
  await screenshot(page, "fr", "card-judged");
});
