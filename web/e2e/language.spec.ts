/** Arabic puts the layout right to left, and file numbers never flip. */

import { expect, test } from "@playwright/test";
import { casesOf, signIn } from "./support";

test("switching to Arabic turns the layout and keeps file numbers intact", async ({ page, request }) => {
  const [first] = await casesOf(request, "TPI-RABAT");
  await signIn(page, "clerk", "fr");
  await expect(page.locator("html")).toHaveAttribute("dir", "ltr");
  await page.goto(`/#/cases/${first?.id}/details`);
  await expect(page.getByTestId("file-number-heading")).toBeVisible();

  await page.getByTestId("language-switch").click();
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  await expect(page.locator("html")).toHaveAttribute("lang", "ar");
  await expect(page.getByRole("link", { name: "المعلومات" })).toBeVisible();

  const number = page.getByTestId("file-number-heading").locator(".file-number");
  await expect(number).toHaveText(first?.file_number ?? "");
  await expect(number).toHaveAttribute("dir", "ltr");
  // Painted left to right: the serial's first digit left of the year's last.
  const order = await number.evaluate((element) => {
    const text = element.firstChild as Text;
    const range = document.createRange();
    const box = (index: number): number => {
      range.setStart(text, index);
      range.setEnd(text, index + 1);
      return range.getBoundingClientRect().left;
    };
    return { first: box(0), last: box(text.length - 1) };
  });
  expect(order.first).toBeLessThan(order.last);
  // The menu starts on the right in Arabic.
  const menuBox = await page.getByRole("navigation", { name: "القائمة الرئيسية" }).getByRole("link").first().boundingBox();
  expect(menuBox?.x ?? 0).toBeGreaterThan(600);

  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  await page.getByTestId("language-switch").click();
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
});

test("what was typed survives a change of language", async ({ page }) => {
  await signIn(page, "clerk", "fr");
  await page.goto("/#/cases/new");
  const subject = page.locator("textarea[name=subject], input[name=subject]").first();
  await subject.fill("Expulsion d'un local commercial");
  await page.getByTestId("language-switch").click();
  await expect(page.locator("html")).toHaveAttribute("lang", "ar");
  await expect(subject).toHaveValue("Expulsion d'un local commercial");
  await page.getByTestId("language-switch").click();
});
