/**
 * A court's activity as the CEPEJ measures it (`GET /statistics?court=&from=&to=`):
 * incoming and resolved cases, clearance rate, turnover, disposition time,
 * trial-date certainty, and the age of the pending caseload.
 */

import { h, replace } from "../dom";
import { loadCourts } from "../domain";
import { formatNumber, formatPercent, t, tDynamic } from "../i18n";
import { api } from "../api";
import { go, type Params } from "../router";
import { errorAlert, loading, selectField, table, textField } from "../ui";
import { courtChoices, courtsOf } from "./cases";
import type { MessageKey } from "../messages";

interface Report {
  incoming: number;
  resolved: number;
  pending_start: number;
  pending_end: number;
  clearance_rate: number | null;
  case_turnover_ratio: number | null;
  disposition_time_days: number | null;
  average_age_at_resolution_days: number | null;
  trial_date_certainty: number | null;
  pending_age: { measured_on: string; cases: Record<string, number> };
}

function isoDay(moment: Date): string {
  return `${moment.getFullYear()}-${String(moment.getMonth() + 1).padStart(2, "0")}-${String(moment.getDate()).padStart(2, "0")}`;
}

function figure(value: number | null): string {
  return value === null ? t("app.none") : formatNumber(value);
}

/** A percentage given as 0-100 (the API's), in the language's own format. */
function percent(value: number | null): string {
  return value === null ? t("app.none") : formatPercent(value / 100);
}

function tile(label: MessageKey, value: string): HTMLElement {
  return h("div", { class: "tile" }, h("p", { class: "tile-value" }, value), h("p", { class: "tile-label" }, t(label)));
}

export async function statisticsScreen(view: HTMLElement, _params: Params, query: URLSearchParams): Promise<void> {
  replace(view, h("h1", {}, t("stats.title")), loading());
  const courts = courtsOf(await loadCourts());
  const now = new Date();
  const court = query.get("court") ?? courts[0]?.code ?? "";
  const from = query.get("from") ?? `${now.getFullYear()}-01-01`;
  const to = query.get("to") ?? isoDay(now);
  const courtField = selectField({ label: t("cases.court"), name: "court", choices: courtChoices(courts), value: court });
  const fromField = textField({ label: t("stats.from"), name: "from", type: "date", value: from, dir: "ltr" });
  const toField = textField({ label: t("stats.to"), name: "to", type: "date", value: to, dir: "ltr" });
  const form = h("form", { class: "filters panel" }, courtField.wrapper, fromField.wrapper, toField.wrapper, h("div", { class: "filter-actions" }, h("button", { type: "submit", class: "primary" }, t("stats.show"))));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams({ court: courtField.input.value, from: fromField.input.value, to: toField.input.value });
    go(`/statistics?${params.toString()}`);
  });
  const results = h("div", { "aria-live": "polite" }, loading());
  replace(view, h("h1", {}, t("stats.title")), h("p", { class: "muted" }, t("stats.intro")), form, results);
  try {
    const report = await api<Report>("GET", `/statistics?${new URLSearchParams({ court, from, to }).toString()}`);
    replace(results, reportView(report));
  } catch (error) {
    replace(results, errorAlert(error));
  }
}

function reportView(report: Report): HTMLElement {
  const tiles = h(
    "div",
    { class: "tiles" },
    tile("stats.incoming", figure(report.incoming)),
    tile("stats.resolved", figure(report.resolved)),
    tile("stats.pendingStart", figure(report.pending_start)),
    tile("stats.pendingEnd", figure(report.pending_end)),
    tile("stats.clearance", percent(report.clearance_rate)),
    tile("stats.turnover", figure(report.case_turnover_ratio)),
    tile("stats.disposition", figure(report.disposition_time_days)),
    tile("stats.age", figure(report.average_age_at_resolution_days)),
    tile("stats.certainty", percent(report.trial_date_certainty)),
  );
  const ages = Object.entries(report.pending_age.cases).map(([label, count]) => [tDynamic(`stats.age.${label}`, label), formatNumber(count)]);
  return h("div", {}, tiles, h("h2", {}, t("stats.pendingAge")), table(t("stats.pendingAge"), [t("stats.ageClass"), t("stats.cases")], ages, { captionHidden: true }));
}
