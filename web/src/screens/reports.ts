/**
 * Security reports (administrators): failed sign-ins per user over a period,
 * flagged above a threshold, and every change of permissions
 * (`GET /reports/failed-logins`, `GET /reports/permission-changes`).
 */

import { api } from "../api";
import { h, ltr, replace } from "../dom";
import { loadCourts, today } from "../domain";
import { formatDate, formatNumber, t, tDynamic } from "../i18n";
import { go, type Params } from "../router";
import { errorAlert, loading, table, textField } from "../ui";

interface FailedLogins {
  threshold: number;
  users: { username: string; failures: number; refused_while_locked: number; locks: number; above_threshold: boolean }[];
}

interface AuditEvent {
  occurred_at: string;
  actor: string;
  action: string;
  target: string;
  outcome: string;
}

/** The day `days` before `day` (YYYY-MM-DD), by the calendar. */
function daysBefore(day: string, days: number): string {
  const moment = new Date(`${day}T12:00:00Z`);
  moment.setUTCDate(moment.getUTCDate() - days);
  return moment.toISOString().slice(0, 10);
}

export async function reportsScreen(view: HTMLElement, _params: Params, query: URLSearchParams): Promise<void> {
  replace(view, h("h1", {}, t("reports.title")), loading());
  await loadCourts(); // brings the court's clock, for today()
  const to = query.get("to") ?? today();
  const from = query.get("from") ?? daysBefore(to, 30);
  const threshold = query.get("threshold") ?? "10";
  const fromField = textField({ label: t("stats.from"), name: "from", type: "date", value: from, dir: "ltr" });
  const toField = textField({ label: t("stats.to"), name: "to", type: "date", value: to, dir: "ltr" });
  const thresholdField = textField({ label: t("reports.threshold"), name: "threshold", type: "number", value: threshold, dir: "ltr" });
  const form = h("form", { class: "filters panel" }, fromField.wrapper, toField.wrapper, thresholdField.wrapper, h("div", { class: "filter-actions" }, h("button", { type: "submit", class: "primary" }, t("stats.show"))));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    go(`/reports?${new URLSearchParams({ from: fromField.input.value, to: toField.input.value, threshold: thresholdField.input.value }).toString()}`);
  });
  const results = h("div", { "aria-live": "polite" }, loading());
  replace(view, h("h1", {}, t("reports.title")), h("p", { class: "muted" }, t("reports.intro")), form, results);
  try {
    const [logins, changes] = await Promise.all([
      api<FailedLogins>("GET", `/reports/failed-logins?${new URLSearchParams({ from, to, threshold }).toString()}`),
      api<{ changes: AuditEvent[] }>("GET", `/reports/permission-changes?${new URLSearchParams({ from, to }).toString()}`),
    ]);
    replace(results, failedLoginsView(logins), permissionChangesView(changes.changes));
  } catch (error) {
    replace(results, errorAlert(error));
  }
}

function failedLoginsView(report: FailedLogins): HTMLElement {
  const title = h("h2", {}, t("reports.failedTitle"));
  if (!report.users.length) return h("section", {}, title, h("p", { class: "empty" }, t("reports.noFailures")));
  return h(
    "section",
    {},
    title,
    table(
      t("reports.failedTitle"),
      [t("users.username"), t("reports.failures"), t("reports.refused"), t("reports.locks"), t("reports.flag")],
      report.users.map((row) => [
        ltr(row.username),
        formatNumber(row.failures),
        formatNumber(row.refused_while_locked),
        formatNumber(row.locks),
        row.above_threshold ? h("span", { class: "badge badge-bad", "data-testid": "above-threshold" }, t("reports.above")) : t("app.none"),
      ]),
      { captionHidden: true },
    ),
  );
}

function permissionChangesView(changes: AuditEvent[]): HTMLElement {
  const title = h("h2", {}, t("reports.permissionsTitle"));
  if (!changes.length) return h("section", {}, title, h("p", { class: "empty" }, t("reports.noChanges")));
  return h(
    "section",
    {},
    title,
    table(
      t("reports.permissionsTitle"),
      [t("reports.when"), t("reports.actor"), t("reports.action"), t("reports.target")],
      changes.map((row) => [formatDate(row.occurred_at, true), ltr(row.actor), tDynamic(`audit.${row.action}`, row.action), ltr(row.target.replace(/^user#/, ""))]),
      { captionHidden: true },
    ),
  );
}
