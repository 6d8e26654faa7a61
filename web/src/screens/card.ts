/**
 * The file card: header (number, court, status, subject) and tabs as the
 * courts know them: details, procedures, parties and lawyers, hearings,
 * documents, linked files. Each tab is its own address
 * (`#/cases/<id>/<tab>`), so it can be bookmarked and the Back key works.
 */

import { h, replace, fileNumber, ltr } from "../dom";
import {
  caseHearings,
  caseJudgments,
  caseLinks,
  caseTimeline,
  caseTypeName,
  courtName,
  getCase,
  listDocuments,
  loadCourts,
  type CaseFile,
  type Court,
  type Hearing,
  type Judgment,
  type Party,
  type TimelineEvent,
} from "../domain";
import { formatDate, pick, t, tDynamic } from "../i18n";
import type { MessageKey } from "../messages";
import { go, href, type Params } from "../router";
import { errorAlert, facts, loading, statusBadge, table, unavailable } from "../ui";
import {
  addParty,
  assignJudge,
  changeStatus,
  isStaff,
  linkFile,
  mayJudge,
  mayLink,
  postponeHearing,
  recordJudgment,
  recordOutcome,
  removeParty,
  scheduleHearing,
} from "./actions";
import { documentsTab } from "./documents";
import { hearingsTable } from "./hearings";

const TABS: [string, MessageKey][] = [
  ["details", "card.details"],
  ["timeline", "card.timeline"],
  ["parties", "card.parties"],
  ["hearings", "card.hearings"],
  ["documents", "card.documents"],
  ["links", "card.links"],
];

export async function cardScreen(view: HTMLElement, params: Params): Promise<void> {
  replace(view, h("h1", {}, t("card.title")), loading());
  const caseId = params.id ?? "";
  const tab = TABS.some(([name]) => name === params.tab) ? (params.tab ?? "details") : "details";
  const [file, courts] = await Promise.all([getCase(caseId), loadCourts()]);
  const panel = h("section", { class: "tab-panel panel", id: "tab-panel", "aria-labelledby": `tab-${tab}` });
  replace(view, cardHeader(file, courts), tabBar(caseId, tab), panel);
  await renderTab(tab, panel, file, courts);
}

/** Statuses in which a file can be judged (heard, or in deliberation). */
const JUDGEABLE = ["SCHEDULED", "DELIBERATION"];

/** Text typed by people (decisions, operative parts): its own direction. */
function freeText(text: string | null | undefined): HTMLElement | string {
  return text ? h("span", { dir: "auto" }, text) : t("app.none");
}

/** Show the card again (fresh data and version) after a change. */
function reload(): void {
  go(location.hash.replace(/^#/, ""));
}

function cardHeader(file: CaseFile, courts: Court[]): HTMLElement {
  return h(
    "header",
    { class: "card-header" },
    h("p", { class: "eyebrow" }, t("card.title"), " — ", courtName(courts, file.court_code)),
    h("h1", { "data-testid": "file-number-heading" }, t("cases.fileNumber"), " ", fileNumber(file.file_number)),
    h("p", { class: "card-subject" }, h("span", { dir: "auto" }, file.subject), " ", statusBadge("status", file.status)),
  );
}

function tabBar(caseId: string, active: string): HTMLElement {
  return h(
    "nav",
    { class: "tabs", "aria-label": t("card.tabs") },
    h(
      "ul",
      {},
      TABS.map(([name, key]) =>
        h(
          "li",
          {},
          h("a", { id: `tab-${name}`, href: href(`/cases/${caseId}/${name}`), "aria-current": name === active ? "page" : false }, t(key)),
        ),
      ),
    ),
  );
}

async function renderTab(tab: string, panel: HTMLElement, file: CaseFile, courts: Court[]): Promise<void> {
  try {
    if (tab === "timeline") await timelineTab(panel, file);
    else if (tab === "parties") partiesTab(panel, file);
    else if (tab === "hearings") await hearingsTab(panel, file);
    else if (tab === "documents") await documentsTab(panel, file);
    else if (tab === "links") await linksTab(panel, file, courts);
    else await detailsTab(panel, file, courts);
  } catch (error) {
    replace(panel, errorAlert(error));
  }
}

async function detailsTab(panel: HTMLElement, file: CaseFile, courts: Court[]): Promise<void> {
  const judgment = file.last_judgment;
  const judgments = h("div", {}, loading());
  replace(
    panel,
    h("h2", {}, t("card.details")),
    facts([
      [t("card.court"), courtName(courts, file.court_code)],
      [t("cases.fileNumber"), fileNumber(file.file_number)],
      [t("card.nationalNumber"), file.national_number ? fileNumber(file.national_number) : t("app.none")],
      [t("card.caseType"), `${caseTypeName(courts, file.case_type_code)} (${file.case_type_code})`],
      [t("cases.subject"), file.subject],
      [t("cases.registeredAt"), formatDate(file.registered_at, true)],
      [t("card.registeredBy"), ltr(file.registered_by)],
      [t("card.judge"), file.reporting_judge ? (file.reporting_judge.name ?? ltr(file.reporting_judge.username)) : t("app.none")],
      [t("card.nextHearing"), file.next_hearing_at ? formatDate(file.next_hearing_at, true) : t("app.none")],
      [t("card.lastJudgment"), judgment ? h("span", {}, fileNumber(judgment.number), " — ", formatDate(judgment.date)) : t("app.none")],
      [t("cases.status"), statusBadge("status", file.status)],
    ]),
    isStaff()
      ? h(
          "div",
          { class: "actions no-print" },
          h("button", { type: "button", class: "secondary", onclick: () => void assignJudge(file, reload) }, t("actions.assign")),
          file.next_statuses?.length === 0 ? null : h("button", { type: "button", class: "secondary", onclick: () => changeStatus(file, reload) }, t("actions.transition")),
        )
      : null,
    h("h3", {}, t("card.judgments")),
    judgments,
  );
  const answer = await caseJudgments(file.id);
  replace(
    judgments,
    answer === null ? unavailable() : answer.judgments.length ? judgmentsTable(answer.judgments) : h("p", { class: "empty" }, t("card.noJudgments")),
    mayJudge() && answer !== null && JUDGEABLE.includes(file.status) ? h("p", { class: "no-print" }, h("button", { type: "button", class: "secondary", onclick: () => void openJudgment(file) }, t("actions.judgment"))) : null,
  );
}

async function openJudgment(file: CaseFile): Promise<void> {
  const { documents } = await listDocuments(file.id);
  recordJudgment(file, documents.filter((row) => row.status === "SIGNED"), reload);
}

function judgmentsTable(judgments: Judgment[]): HTMLElement {
  return table(
    t("card.judgments"),
    [t("card.judgmentNumber"), t("card.date"), t("card.operativePart")],
    judgments.map((judgment) => [fileNumber(judgment.number), formatDate(judgment.date), freeText(judgment.operative_part)]),
    { captionHidden: true },
  );
}

function eventLabel(event: TimelineEvent): string {
  return event.action_name ? pick(event.action_name, event.action) : tDynamic(`event.${event.action}`, event.action);
}

async function timelineTab(panel: HTMLElement, file: CaseFile): Promise<void> {
  replace(panel, h("h2", {}, t("card.timeline")), loading());
  const answer = await caseTimeline(file.id);
  const body: HTMLElement =
    answer === null
      ? unavailable()
      : !answer.timeline.length
        ? h("p", { class: "empty" }, t("card.noEvents"))
        : table(
            t("card.timeline"),
            [t("card.date"), t("card.action"), t("card.decision"), t("card.nextHearing")],
            answer.timeline.map((event) => [
              formatDate(event.date, true),
              eventLabel(event),
              freeText(event.decision),
              event.next_hearing_at ? formatDate(event.next_hearing_at, true) : t("app.none"),
            ]),
            { captionHidden: true },
          );
  replace(panel, h("h2", {}, t("card.timeline")), body);
}

function counsel(party: Party): HTMLElement | string {
  const lawyers = party.lawyers ?? [];
  if (!lawyers.length) return t("app.none");
  return h("ul", { class: "plain-list" }, lawyers.map((lawyer) => h("li", {}, t("party.counselOf", { bar: lawyer.bar, roll: lawyer.roll_number }))));
}

function partiesTab(panel: HTMLElement, file: CaseFile): void {
  // The registry (clerks, admins) keeps the parties: the same right links files.
  const registry = mayLink();
  const headers = [t("party.role"), t("party.name"), t("party.kind"), `${t("party.nationalId")} / ${t("party.tradeRegister")}`, t("party.lawyer")];
  const rows = file.parties.map((party) => [
    tDynamic(`party.${party.role}`, party.role),
    h("span", {}, h("span", { dir: "auto" }, party.name), party.name_latin ? h("span", { class: "muted small latin-name" }, h("bdi", { lang: "fr", dir: "ltr" }, party.name_latin)) : null),
    tDynamic(`party.${party.kind ?? "natural"}`, party.kind ?? ""),
    party.national_id ? ltr(party.national_id) : party.trade_register ? ltr(party.trade_register) : t("app.none"),
    counsel(party),
    ...(registry ? [h("button", { type: "button", class: "small danger", "aria-label": `${t("actions.removeParty")} — ${party.name}`, onclick: () => void removeParty(file, party, reload) }, t("actions.removeParty"))] : []),
  ]);
  replace(
    panel,
    h("h2", {}, t("card.parties")),
    rows.length ? table(t("card.parties"), registry ? [...headers, t("actions.title")] : headers, rows, { captionHidden: true }) : h("p", { class: "empty" }, t("card.noParties")),
    registry ? h("p", { class: "no-print" }, h("button", { type: "button", class: "primary", onclick: () => addParty(file, reload) }, t("actions.addParty"))) : null,
  );
}

async function hearingsTab(panel: HTMLElement, file: CaseFile): Promise<void> {
  replace(panel, h("h2", {}, t("card.hearings")), loading());
  const answer = await caseHearings(file.id);
  const rowActions = (hearing: Hearing): HTMLElement | null =>
    hearing.status === "SCHEDULED"
      ? h(
          "div",
          { class: "row-actions" },
          h("button", { type: "button", class: "small secondary", onclick: () => postponeHearing(file, hearing, reload) }, t("actions.postpone")),
          // The outcome is recorded once the hearing has started.
          new Date(hearing.starts_at).getTime() <= Date.now()
            ? h("button", { type: "button", class: "small secondary", onclick: () => recordOutcome(file, hearing, reload) }, t("actions.outcome"))
            : null,
        )
      : null;
  replace(
    panel,
    h("h2", {}, t("card.hearings")),
    answer === null
      ? unavailable()
      : answer.hearings.length
        ? hearingsTable(answer.hearings, t("card.hearings"), { withDate: true, ofCase: true, ...(isStaff() && { actions: rowActions }) })
        : h("p", { class: "empty" }, t("card.noHearings")),
    isStaff() && answer !== null
      ? h("p", { class: "no-print" }, h("button", { type: "button", class: "primary", onclick: () => void scheduleHearing(file, reload) }, t("actions.schedule")))
      : null,
  );
}

async function linksTab(panel: HTMLElement, file: CaseFile, courts: Court[]): Promise<void> {
  replace(panel, h("h2", {}, t("card.links")), loading());
  const answer = await caseLinks(file.id);
  const body =
    answer === null
      ? unavailable()
      : !answer.links.length
        ? h("p", { class: "empty" }, t("card.noLinks"))
        : table(
            t("card.links"),
            [t("cases.fileNumber"), t("card.court"), t("card.relation"), t("card.date")],
            answer.links.map((link) => [
              link.case_id ? h("a", { href: href(`/cases/${link.case_id}/details`) }, fileNumber(link.file_number)) : fileNumber(link.file_number),
              courtName(courts, link.court_code),
              tDynamic(`relation.${link.kind}`, link.kind),
              formatDate(link.linked_at ?? null),
            ]),
            { captionHidden: true },
          );
  const action = mayLink() ? h("p", { class: "no-print" }, h("button", { type: "button", class: "primary", onclick: () => linkFile(file, courts, reload) }, t("actions.link"))) : null;
  replace(panel, h("h2", {}, t("card.links")), body, answer === null ? null : action);
}
