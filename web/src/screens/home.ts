/**
 * Each role's home: what that role works on.
 *
 * Judge: today's hearings at their courts (`GET /courts/{court}/hearings`,
 * issue 4). Clerk: the latest registrations of their courts (`GET /cases`).
 * Lawyer and citizen: their own cases (`GET /me/cases`, issue 4). Admin:
 * administration shortcuts.
 */

import { h, replace } from "../dom";
import { courtHearings, courtName, listCases, loadCourts, myCases, today, type Court } from "../domain";
import { t } from "../i18n";
import { href } from "../router";
import { session } from "../session";
import { errorAlert, loading, unavailable } from "../ui";
import { casesTable, courtsOf } from "./cases";
import { hearingsTable } from "./hearings";

export async function homeScreen(view: HTMLElement): Promise<void> {
  const profile = session.profile();
  if (!profile) return;
  const title = h("h1", {}, t("home.welcome", { name: profile.full_name ?? profile.username }));
  replace(view, title, loading());
  const courts = await loadCourts();
  const body = h("div", { class: "stack" });
  replace(view, title, body);
  if (profile.role === "JUDGE") await judgeHome(body, courts);
  else if (profile.role === "CLERK") await clerkHome(body, courts);
  else if (profile.role === "ADMIN") adminHome(body);
  else await myCasesHome(body, courts);
}

/** One panel per court, filled in parallel; each shows its own loading and errors. */
async function perCourt(body: HTMLElement, courts: Court[], fill: (section: HTMLElement, court: Court) => Promise<void>): Promise<void> {
  await Promise.all(
    courtsOf(courts).map(async (court) => {
      const slot = h("div", {}, loading());
      body.append(h("section", { class: "panel" }, h("h2", {}, courtName(courts, court.code)), slot));
      try {
        await fill(slot, court);
      } catch (error) {
        replace(slot, errorAlert(error));
      }
    }),
  );
}

async function judgeHome(body: HTMLElement, courts: Court[]): Promise<void> {
  body.append(h("h2", {}, t("home.judgeToday")));
  await perCourt(body, courts, async (slot, court) => {
    const answer = await courtHearings(court.code, today());
    if (answer === null) replace(slot, unavailable());
    else if (!answer.hearings.length) replace(slot, h("p", { class: "empty" }, t("home.noHearings")));
    else replace(slot, hearingsTable(answer.hearings, `${t("home.judgeToday")} — ${courtName(courts, court.code)}`));
  });
}

async function clerkHome(body: HTMLElement, courts: Court[]): Promise<void> {
  body.append(h("div", { class: "title-row" }, h("h2", {}, t("home.clerkQueue")), h("a", { class: "button primary", href: href("/cases/new") }, t("nav.register"))));
  await perCourt(body, courts, async (slot, court) => {
    const page = await listCases({ court: court.code, limit: 5 });
    replace(
      slot,
      page.cases.length ? casesTable(page.cases, courts, `${t("home.clerkQueue")} — ${courtName(courts, court.code)}`) : h("p", { class: "empty" }, t("home.noCases")),
      h("p", {}, h("a", { href: href(`/cases?court=${court.code}`) }, `${t("nav.cases")} — ${courtName(courts, court.code)}`)),
    );
  });
}

function adminHome(body: HTMLElement): void {
  body.append(
    h(
      "section",
      { class: "panel" },
      h("h2", {}, t("home.adminTitle")),
      h("p", {}, t("home.adminIntro")),
      h("ul", { class: "link-list" }, h("li", {}, h("a", { href: href("/users") }, t("nav.users"))), h("li", {}, h("a", { href: href("/cases") }, t("nav.cases")))),
    ),
  );
}

async function myCasesHome(body: HTMLElement, courts: Court[]): Promise<void> {
  const section = h("section", { class: "panel" }, h("h2", {}, t("home.myCases")));
  body.append(section);
  try {
    const answer = await myCases();
    if (answer === null) section.append(unavailable(), h("p", {}, h("a", { href: href("/track") }, t("nav.track"))));
    else if (!answer.cases.length) section.append(h("p", { class: "empty" }, t("home.noCases")));
    else section.append(casesTable(answer.cases, courts, t("home.myCases"), true));
  } catch (error) {
    section.append(errorAlert(error));
  }
}
