/**
 * The main screens in both languages: each passes the accessibility check
 * (no serious or critical axe violation) and is saved as a screenshot.
 */

import { expect, test, type Page } from "@playwright/test";
import { type CaseRow, casesOf, expectAccessible, type Language, openIn, scheduleSoon, screenshot, signIn, signOut } from "./support";

async function check(page: Page, language: Language, name: string): Promise<void> {
  await expect(page.locator(".loading")).toHaveCount(0);
  await expectAccessible(page, `${language}/${name}`);
  await screenshot(page, language, name);
}

let rabat: CaseRow[] = [];

test.beforeAll(async ({ request }) => {
  rabat = await casesOf(request, "TPI-RABAT");
  const first = rabat.find((row) => row.file_number.startsWith("1/1201/"));
  const second = rabat.find((row) => row.file_number.startsWith("1/1601/"));
  if (first) await scheduleSoon(request, first.id, 20, "Salle 2");
  if (second) await scheduleSoon(request, second.id, 40, "Salle 2");
});

for (const language of ["ar", "fr"] as const) {
  test(`public screens (${language})`, async ({ page }) => {
    await openIn(page, language, "#/login");
    await check(page, language, "login");
    const land = rabat.find((row) => row.file_number.startsWith("1/1201/"));
    await page.goto("/#/track");
    await page.locator("select[name=court]").selectOption("TPI-RABAT");
    // In Arabic the number is typed as an Arabic keyboard types it: ١/١٢٠١/٢٠٢٦.
    const typed = (land?.file_number ?? "").replace(/[0-9]/g, (d) => String.fromCharCode(0x0660 + Number(d)));
    await page.locator("input[name=number]").fill(language === "ar" ? typed : (land?.file_number ?? ""));
    await page.locator("form").first().locator("button[type=submit]").click();
    await expect(page.getByTestId("public-card")).toBeVisible();
    await page.locator("select[name=hearings-court]").selectOption("TPI-RABAT");
    await page.locator("form").nth(1).locator("button[type=submit]").click();
    await expect(page.locator("#public-hearings-title ~ div").locator("table, .empty").first()).toBeVisible();
    await check(page, language, "track");
    await page.goto("/#/verify");
    await check(page, language, "verify");
  });

  test(`clerk screens (${language})`, async ({ page }) => {
    const land = rabat.find((row) => row.file_number.startsWith("1/1201/"));
    await signIn(page, "clerk", language);
    await expect(page.getByTestId("case-link").first()).toBeVisible();
    await check(page, language, "home-clerk");
    await page.goto("/#/cases?court=TPI-RABAT");
    await expect(page.getByTestId("case-link").first()).toBeVisible();
    await check(page, language, "cases");
    for (const tab of ["details", "timeline", "parties", "hearings", "documents", "links"]) {
      await page.goto(`/#/cases/${land?.id}/${tab}`);
      await expect(page.locator(`#tab-${tab}[aria-current=page]`)).toBeVisible();
      await check(page, language, `card-${tab}`);
    }
    await page.goto("/#/cases/new");
    await check(page, language, "register");
    await page.goto("/#/hearings?court=TPI-RABAT");
    await check(page, language, "hearings");
    await page.emulateMedia({ media: "print" });
    await screenshot(page, language, "hearings-print");
    await page.emulateMedia({ media: "screen" });
    await page.goto("/#/statistics?court=TPI-RABAT");
    await expect(page.locator(".tile").first()).toBeVisible();
    await check(page, language, "statistics");
  });

  test(`judge, citizen and admin screens (${language})`, async ({ page }) => {
    await signIn(page, "judge", language);
    await check(page, language, "home-judge");
    await signOut(page, language);
    await signIn(page, "citizen", language);
    await expect(page.getByTestId("case-link").first()).toBeVisible();
    await check(page, language, "home-citizen");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByTestId("case-link").first().click();
    await check(page, language, "phone-card");
    await page.setViewportSize({ width: 1280, height: 860 });
    await signOut(page, language);
    await signIn(page, "admin", language);
    await page.getByRole("navigation").getByRole("link", { name: language === "ar" ? "المستخدمون" : "Utilisateurs" }).click();
    await expect(page.getByRole("cell", { name: "clerk", exact: true })).toBeVisible();
    await check(page, language, "users");
    await page.getByRole("button", { name: language === "ar" ? "إنشاء مستخدم" : "Créer un utilisateur" }).click();
    await expect(page.getByRole("dialog")).toBeVisible();
    await check(page, language, "users-create");
    await page.keyboard.press("Escape");
    // One failed sign-in, then the security report lists it.
    await page.request.post("/api/auth/login", { data: { username: "lawyer", password: "Not-the-password-1!" } });
    await page.getByRole("navigation").getByRole("link", { name: language === "ar" ? "تقارير الأمان" : "Rapports de sécurité" }).click();
    await expect(page.getByRole("heading", { name: language === "ar" ? "محاولات الدخول الفاشلة" : "Connexions échouées" })).toBeVisible();
    await expect(page.getByRole("cell", { name: "lawyer", exact: true })).toBeVisible();
    await check(page, language, "reports");
  });
}
