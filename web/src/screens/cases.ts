/**
 * A court's cases with filters (court, year, status, type), page by page
 * through the API's cursor: `GET /cases?court=&year=&status=&type=&cursor=`.
 */

import { h, replace, fileNumber } from "../dom";
import { caseTypeName, courtName, listCases, loadCourts, STATUSES, type CaseFilters, type CaseSummary, type Court } from "../domain";
import { formatDate, pick, t, tDynamic } from "../i18n";
import { go, href, type Params } from "../router";
import { session } from "../session";
import { errorAlert, loading, selectField, statusBadge, table, textField, type Choice } from "../ui";

/** The table of cases every list screen shows; the court column only for lists across courts. */
export function casesTable(cases: CaseSummary[], courts: Court[], caption: string, withCourt = false): HTMLElement {
  // "My cases" rows carry no status: the column is left out rather than empty.
  const withStatus = cases.some((row) => row.status);
  return table(
    caption,
    [t("cases.fileNumber"), ...(withCourt ? [t("cases.court")] : []), t("cases.type"), t("cases.subject"), ...(withStatus ? [t("cases.status")] : []), t("cases.registeredAt")],
    cases.map((row) => [
      h("a", { href: href(`/cases/${row.id}/details`), "data-testid": "case-link" }, fileNumber(row.file_number)),
      ...(withCourt ? [courtName(courts, row.court_code)] : []),
      caseTypeName(courts, row.case_type_code),
      h("span", { dir: "auto" }, row.subject),
      ...(withStatus ? [row.status ? statusBadge("status", row.status) : t("app.none")] : []),
      formatDate(row.registered_at),
    ]),
    { captionHidden: true },
  );
}

/** The courts a user may list: theirs, or every court for an admin. */
export function courtsOf(courts: Court[]): Court[] {
  const profile = session.profile();
  if (!profile || profile.role === "ADMIN") return courts;
  return courts.filter((court) => profile.courts.includes(court.code));
}

export function courtChoices(courts: Court[]): Choice[] {
  return courts.map((court) => ({ value: court.code, label: pick(court.names, court.code) }));
}

export async function casesScreen(view: HTMLElement, _params: Params, query: URLSearchParams): Promise<void> {
  replace(view, h("h1", {}, t("cases.title")), loading());
  const courts = await loadCourts();
  const mine = courtsOf(courts);
  const filters: CaseFilters = {
    court: query.get("court") ?? mine[0]?.code ?? "",
    year: query.get("year") ?? "",
    status: query.get("status") ?? "",
    type: query.get("type") ?? "",
  };
  const results = h("div", { "aria-live": "polite" });
  replace(view, h("h1", {}, t("cases.title")), filterForm(mine, filters), results);
  if (filters.court) await showPage(results, courts, filters, []);
}

function filterForm(courts: Court[], filters: CaseFilters): HTMLElement {
  const court = selectField({ label: t("cases.court"), name: "court", choices: courtChoices(courts), value: filters.court });
  const year = textField({ label: t("cases.year"), name: "year", type: "number", value: filters.year ?? "", dir: "ltr" });
  year.input.min = "1900";
  year.input.max = "2999";
  const status = selectField({
    label: t("cases.status"),
    name: "status",
    placeholder: t("cases.any"),
    value: filters.status ?? "",
    choices: STATUSES.map((value) => ({ value, label: tDynamic(`status.${value}`, value) })),
  });
  const types = courts.find((candidate) => candidate.code === filters.court)?.case_types ?? [];
  const type = selectField({
    label: t("cases.type"),
    name: "type",
    placeholder: t("cases.any"),
    value: filters.type ?? "",
    choices: types.map((caseType) => ({ value: caseType.code, label: `${caseType.code} — ${pick({ ar: caseType.name_ar, fr: caseType.name_fr })}` })),
  });
  const form = h(
    "form",
    { class: "filters panel", role: "search", "aria-label": t("cases.filters") },
    court.wrapper,
    year.wrapper,
    status.wrapper,
    type.wrapper,
    h("div", { class: "filter-actions" }, h("button", { type: "submit", class: "primary" }, t("cases.filter"))),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const search = new URLSearchParams();
    for (const field of [court, year, status, type]) if (field.input.value) search.set(field.input.name, field.input.value);
    go(`/cases?${search.toString()}`);
  });
  return form;
}

async function showPage(results: HTMLElement, courts: Court[], filters: CaseFilters, shown: CaseSummary[]): Promise<void> {
  try {
    const page = await listCases(filters);
    const all = [...shown, ...page.cases];
    const more = page.next_cursor
      ? h("button", { type: "button", class: "secondary", onclick: () => void showPage(results, courts, { ...filters, cursor: page.next_cursor }, all) }, t("app.more"))
      : null;
    replace(
      results,
      all.length ? casesTable(all, courts, courtName(courts, filters.court)) : h("p", { class: "empty" }, t("cases.empty")),
      h("p", { class: "muted small" }, t("cases.count", { count: all.length })),
      more,
    );
  } catch (error) {
    replace(results, errorAlert(error));
  }
}
