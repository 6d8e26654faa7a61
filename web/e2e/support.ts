/**
 * Helpers shared by the end-to-end specs: signing in as a demo user, the
 * language, screenshots, the accessibility check and the API behind the app.
 */

import { createRequire } from "node:module";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, type APIRequestContext, type Page } from "@playwright/test";

export const PASSWORD = process.env.JUSTICIA_DEMO_PASSWORD ?? "Justicia-Demo-2026!";
const here = path.dirname(fileURLToPath(import.meta.url));
export const SCREENSHOTS = path.resolve(here, "..", "screenshots");
/** The real scans shared by the project's tests (`../shared/samples` beside the repo). */
export const SAMPLES = process.env.JUSTICIA_SAMPLES_DIR ?? path.resolve(here, "..", "..", "..", "shared", "samples");
// axe-core's source, evaluated through the browser's debugging protocol: the
// app's content security policy (which refuses inline scripts) stays on.
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export type Language = "ar" | "fr";

/** Open the app in `language` (remembered in localStorage, as the switcher does). */
export async function openIn(page: Page, language: Language, hash = "#/login"): Promise<void> {
  // Only a first visit's choice: a later switch in the page must survive reloads.
  await page.addInitScript((chosen) => {
    if (!localStorage.getItem("justicia.language")) localStorage.setItem("justicia.language", chosen);
  }, language);
  await page.goto(`/${hash}`);
}

export async function signIn(page: Page, username: string, language: Language = "fr"): Promise<void> {
  await openIn(page, language, "#/login");
  await page.locator("input[name=username]").fill(username);
  await page.locator("input[name=password]").fill(PASSWORD);
  await page.locator("form button[type=submit]").click();
  await expect(page.getByTestId("user-name")).toBeVisible();
}

/** Save a full-page screenshot as `screenshots/<language>-<name>.png`. */
export async function screenshot(page: Page, language: Language, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${language}-${name}.png`), fullPage: true });
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Run axe-core on the page; fail on any serious or critical violation. */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((violation) => ({ id: violation.id, impact: violation.impact, help: violation.help, nodes: violation.nodes.slice(0, 3).map((node) => ({ target: node.target })) }));
  });
  const serious = violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
  expect(serious, `${label}: ${JSON.stringify(serious, null, 1)}`).toEqual([]);
}

/** The API behind the web app's proxy, for test setup (ids of the demo cases...). */
export async function apiToken(request: APIRequestContext, username: string): Promise<string> {
  const answer = await request.post("/api/auth/login", { data: { username, password: PASSWORD } });
  expect(answer.ok(), `sign-in of ${username}: ${answer.status()} ${await answer.text()}`).toBeTruthy();
  return ((await answer.json()) as { id_token: string }).id_token;
}

export interface CaseRow {
  id: string;
  file_number: string;
  court_code: string;
}

export async function casesOf(request: APIRequestContext, court: string): Promise<CaseRow[]> {
  const token = await apiToken(request, "admin");
  const answer = await request.get(`/api/cases?court=${court}`, { headers: { Authorization: `Bearer ${token}` } });
  expect(answer.ok(), `cases of ${court}: ${answer.status()} ${await answer.text()}`).toBeTruthy();
  return ((await answer.json()) as { cases: CaseRow[] }).cases;
}

/** Schedule a hearing `minutes` from now through the API (so hearing lists have content). */
export async function scheduleSoon(request: APIRequestContext, caseId: string, minutes: number, room: string): Promise<void> {
  const token = await apiToken(request, "clerk");
  const headers = { Authorization: `Bearer ${token}` };
  const file = (await (await request.get(`/api/cases/${caseId}`, { headers })).json()) as { version: number };
  const startsAt = new Date(Date.now() + minutes * 60_000);
  startsAt.setUTCSeconds(0, 0);
  // A slot already taken (a second run on the same system) is fine.
  await request.post(`/api/cases/${caseId}/hearings`, {
    headers,
    data: { version: file.version, starts_at: startsAt.toISOString(), room, judge: "judge" },
  });
}

/**
 * Sign out through the menu. The server refuses tokens issued in the same
 * second as a sign-out (its times have one-second resolution), so the next
 * sign-in of that user waits for the next second.
 */
export async function signOut(page: Page, language: Language = "fr"): Promise<void> {
  await page.getByRole("button", { name: language === "ar" ? "تسجيل الخروج" : "Se déconnecter" }).click();
  await expect(page.locator("input[name=username]")).toBeVisible();
  await page.waitForTimeout(1_100);
}
