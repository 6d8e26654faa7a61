/**
 * A court's hearing list for a day, printable (`GET /courts/{court}/hearings
 * ?date=YYYY-MM-DD`, issue 4). The print style sheet drops the menus and
 * keeps a title with the court and the date.
 */

import { h, replace, fileNumber } from "../dom";
import { courtHearings, courtName, loadCourts, today, type Hearing } from "../domain";
import { formatDate, formatTime, t, tDynamic } from "../i18n";
import { go, href, type Params } from "../router";
import { errorAlert, loading, selectField, table, textField, unavailable } from "../ui";
import { courtChoices, courtsOf } from "./cases";

interface HearingColumns {
  /** Dates with the time (a case's hearings), not the time alone (a day's list). */
  withDate?: boolean;
  /** A case's own hearings: no file number or subject column. */
  ofCase?: boolean;
  /** The public list: file numbers but no subject (nor anything that names people). */
  isPublic?: boolean;
  actions?: (hearing: Hearing) => HTMLElement | null;
}

export function hearingsTable(hearings: Hearing[], caption: string, columns: HearingColumns = {}): HTMLElement {
  const { withDate = false, ofCase = false, isPublic = false, actions } = columns;
  const headers = [
    withDate ? t("card.date") : t("card.time"),
    ...(ofCase ? [] : [t("cases.fileNumber")]),
    ...(ofCase || isPublic ? [] : [t("cases.subject")]),
    t("card.room"),
    t("card.hearingStatus"),
    ...(isPublic ? [] : [t("card.outcome")]),
    ...(actions ? [t("actions.title")] : []),
  ];
  return table(
    caption,
    headers,
    hearings.map((hearing) => [
      withDate ? formatDate(hearing.starts_at, true) : formatTime(hearing.starts_at),
      ...(ofCase ? [] : [fileLink(hearing)]),
      ...(ofCase || isPublic ? [] : [h("span", { dir: "auto" }, hearing.subject ?? t("app.none"))]),
      hearing.room ?? t("app.none"),
      hearing.status ? tDynamic(`hearing.${hearing.status}`, hearing.status) : t("app.none"),
      ...(isPublic ? [] : [outcomeText(hearing)]),
      ...(actions ? [actions(hearing)] : []),
    ]),
    { captionHidden: true },
  );
}

function outcomeText(hearing: Hearing): HTMLElement | string {
  if (!hearing.outcome) return t("app.none");
  const outcome = tDynamic(`outcome.${hearing.outcome}`, hearing.outcome);
  return hearing.decision ? h("span", {}, outcome, " — ", h("bdi", {}, hearing.decision)) : outcome;
}

function fileLink(hearing: Hearing): HTMLElement {
  return hearing.case_id
    ? h("a", { href: href(`/cases/${hearing.case_id}/hearings`) }, fileNumber(hearing.file_number))
    : fileNumber(hearing.file_number);
}

export async function hearingsScreen(view: HTMLElement, _params: Params, query: URLSearchParams): Promise<void> {
  replace(view, h("h1", {}, t("hearings.title")), loading());
  const courts = courtsOf(await loadCourts());
  const court = query.get("court") ?? courts[0]?.code ?? "";
  const date = query.get("date") ?? today();
  const courtField = selectField({ label: t("cases.court"), name: "court", choices: courtChoices(courts), value: court });
  const dateField = textField({ label: t("hearings.day"), name: "date", type: "date", value: date, dir: "ltr" });
  const form = h(
    "form",
    { class: "filters panel no-print" },
    courtField.wrapper,
    dateField.wrapper,
    h(
      "div",
      { class: "filter-actions" },
      h("button", { type: "submit", class: "primary" }, t("hearings.show")),
      h("button", { type: "button", class: "secondary", onclick: () => window.print() }, t("app.print")),
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    go(`/hearings?court=${encodeURIComponent(courtField.input.value)}&date=${encodeURIComponent(dateField.input.value)}`);
  });
  const printTitle = h(
    "div",
    { class: "print-title" },
    h("p", { class: "print-state" }, `${t("app.kingdom")} — ${t("app.ministry")}`),
    h("p", {}, t("hearings.printTitle", { court: courtName(courts, court), date: formatDate(date) })),
  );
  const results = h("div", { "aria-live": "polite" }, loading());
  replace(view, h("h1", {}, t("hearings.title")), form, printTitle, results);
  try {
    const answer = court ? await courtHearings(court, date) : { hearings: [] };
    if (answer === null) replace(results, unavailable());
    else if (!answer.hearings.length) replace(results, h("p", { class: "empty" }, t("hearings.empty")));
    else
      replace(
        results,
        hearingsTable(answer.hearings, t("hearings.printTitle", { court: courtName(courts, court), date: formatDate(date) })),
        h("p", { class: "muted small" }, t("hearings.count", { count: answer.hearings.length })),
      );
  } catch (error) {
    replace(results, errorAlert(error));
  }
}
