/**
 * Search in cases and the text of their documents (`GET /search?q=`): the
 * server returns only what the caller may see, with highlighted passages.
 * Passages come HTML-escaped with <mark> tags; they are rebuilt as text and
 * <mark> nodes, never inserted as HTML.
 */

import { h, replace, fileNumber } from "../dom";
import { courtName, loadCourts, search, type Court, type SearchResult } from "../domain";
import { t } from "../i18n";
import { go, href, type Params } from "../router";
import { errorAlert, loading, statusBadge, textField, unavailable } from "../ui";

const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#x27;": "'", "&#39;": "'", "&#x2F;": "/" };

/** A highlighted passage as text and <mark> nodes. */
export function passage(html: string): HTMLElement {
  const paragraph = h("p", { class: "passage", dir: "auto" });
  html.split(/(<mark>|<\/mark>)/).reduce((marked, piece) => {
    if (piece === "<mark>") return true;
    if (piece === "</mark>") return false;
    const text = piece.replace(/&(?:amp|lt|gt|quot|#x27|#39|#x2F);/g, (entity) => ENTITIES[entity] ?? entity);
    paragraph.append(marked ? h("mark", {}, text) : document.createTextNode(text));
    return marked;
  }, false);
  return paragraph;
}

function resultItem(result: SearchResult, courts: Court[]): HTMLElement {
  const target = result.document_id ? `/cases/${result.case_id}/documents/${result.document_id}` : `/cases/${result.case_id}/details`;
  const title = result.kind === "page" || result.document_id
    ? t("search.pageHit", { n: result.page ?? 1, file: result.filename ?? "" })
    : t("search.caseHit");
  const passages = Object.values(result.highlights).flat().slice(0, 3);
  return h(
    "li",
    { class: "search-result", "data-testid": "search-result" },
    h("h3", {}, h("a", { href: href(target) }, fileNumber(result.file_number), " — ", title)),
    h("p", { class: "muted small" }, courtName(courts, result.court_code), " · ", statusBadge("status", result.status)),
    result.subject ? h("p", {}, result.subject) : null,
    passages.map(passage),
  );
}

export async function searchScreen(view: HTMLElement, _params: Params, query: URLSearchParams): Promise<void> {
  const text = query.get("q") ?? "";
  const field = textField({ label: t("search.q"), name: "q", type: "search", value: text, hint: t("search.hint"), dir: "auto" });
  const form = h("form", { class: "filters panel", role: "search" }, field.wrapper, h("div", { class: "filter-actions" }, h("button", { type: "submit", class: "primary" }, t("app.search"))));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (field.input.value.trim()) go(`/search?q=${encodeURIComponent(field.input.value.trim())}`);
  });
  const results = h("div", { "aria-live": "polite" });
  replace(view, h("h1", {}, t("search.title")), form, results);
  if (!text) return;
  replace(results, loading());
  try {
    const [courts, answer] = await Promise.all([loadCourts(), search({ q: text })]);
    if (answer === null) replace(results, unavailable());
    else if (!answer.results.length) replace(results, h("p", { class: "empty" }, t("search.empty")));
    else replace(results, h("p", { class: "muted" }, t("search.total", { count: answer.total })), h("ol", { class: "search-results" }, answer.results.map((result) => resultItem(result, courts))));
  } catch (error) {
    replace(results, errorAlert(error));
  }
}
