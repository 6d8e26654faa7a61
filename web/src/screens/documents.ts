/**
 * Documents of a case: the list, the upload with its progress and live
 * status, and one document with its text beside the page and its seal.
 *
 * An upload is three steps, as `devstack.upload` does them: announce it
 * (`POST /cases/{id}/documents` answers a presigned POST form), send the bytes
 * straight to storage with that form (XMLHttpRequest, for upload progress),
 * then poll `GET /cases/{id}/documents/{doc}` until SIGNED or FAILED.
 */

import { api, UserFacingError } from "../api";
import { h, replace, fileNumber, ltr, uniqueId } from "../dom";
import { documentContent, getCase, getDocument, listDocuments, verifyDocument, type CaseDocument, type CaseFile, type UploadForm } from "../domain";
import { currentLanguage, formatBytes, formatDate, formatNumber, formatPercent, t } from "../i18n";
import { href, type Params } from "../router";
import { session } from "../session";
import { busy, facts, fileField, loading, notice, statusBadge, table } from "../ui";

const ACCEPTED = ["application/pdf", "image/tiff", "image/png", "image/jpeg"];
const STEPS = ["RECEIVED", "OCR_DONE", "SIGNED"] as const;
const POLL_MS = 1000;
const POLL_LIMIT = 600;

/** Pages uploaded from this window, shown beside their text (no download route yet). */
const previews = new Map<string, string>();

export async function documentsTab(panel: HTMLElement, file: CaseFile): Promise<void> {
  replace(panel, h("h2", {}, t("docs.title")), loading());
  const list = h("div", { "data-testid": "documents-list" });
  await refreshList(list, file.id);
  const role = session.profile()?.role;
  const mayUpload = role === "ADMIN" || role === "CLERK" || role === "JUDGE" || role === "LAWYER";
  replace(panel, h("h2", {}, t("docs.title")), list, mayUpload ? uploader(file, list) : null);
}

async function refreshList(list: HTMLElement, caseId: string): Promise<void> {
  const { documents } = await listDocuments(caseId);
  replace(
    list,
    documents.length
      ? table(
          t("docs.title"),
          [t("docs.filename"), t("docs.status"), t("docs.pages"), t("docs.size"), t("docs.addedAt"), ""],
          documents.map((document) => [
            h("bdi", {}, document.filename),
            statusBadge("docstatus", document.status),
            document.pages === null ? t("app.none") : formatNumber(document.pages),
            document.size === null ? t("app.none") : formatBytes(document.size),
            formatDate(document.created_at, true),
            h("a", { href: href(`/cases/${caseId}/documents/${document.document_id}`), "aria-label": `${t("docs.open")} ${document.filename}` }, t("docs.open")),
          ]),
          { captionHidden: true },
        )
      : h("p", { class: "empty" }, t("docs.empty")),
  );
}

function uploader(file: CaseFile, list: HTMLElement): HTMLElement {
  const chooser = fileField({ label: t("docs.choose"), name: "document", accept: ACCEPTED.join(",") });
  const input = chooser.input;
  const progressId = uniqueId("progress");
  const progress = h("progress", { id: progressId, max: 100, value: 0 });
  const percent = h("span", { class: "progress-value" }, formatNumber(0), "%");
  const tracker = h("div", { class: "upload-tracker", hidden: true }, h("label", { for: progressId }, t("docs.progress")), h("div", { class: "progress-row" }, progress, percent), stepList(null));
  const messages = h("div", { "aria-live": "polite" });
  const submit = h("button", { type: "submit", class: "primary" }, t("docs.send"));
  const form = h(
    "form",
    { class: "panel upload", novalidate: true },
    h("h3", {}, t("docs.upload")),
    chooser.wrapper,
    submit,
    tracker,
    messages,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = input.files?.[0];
    const problem = !chosen ? t("docs.noFile") : !ACCEPTED.includes(chosen.type) ? t("docs.badType") : null;
    chooser.setError(problem);
    if (problem || !chosen) return;
    tracker.hidden = false;
    void busy(submit, messages, async () => {
      const document = await announce(file.id, chosen);
      previews.set(document.document_id, URL.createObjectURL(chosen));
      await sendBytes(document.upload, chosen, (fraction) => {
        progress.value = Math.round(fraction * 100);
        replace(percent, formatNumber(Math.round(fraction * 100)), "%");
      });
      replace(messages, notice(t("docs.uploadDone")));
      const final = await follow(file.id, document.document_id, (status) => {
        tracker.querySelector(".steps")?.replaceWith(stepList(status));
      });
      const why = final.reason_messages?.[currentLanguage()];
      replace(messages, final.status === "SIGNED" ? notice(t("docs.signedDone"), "success") : notice(why ? `${t("docs.failed")} ${why}` : t("docs.failed"), "warning"));
      await refreshList(list, file.id);
    });
  });
  return form;
}

/** The three stages a document goes through, the reached ones marked. */
function stepList(status: string | null): HTMLElement {
  const reached = status === null ? -1 : STEPS.indexOf(status as (typeof STEPS)[number]);
  return h(
    "ol",
    { class: "steps", "data-testid": "upload-steps", "data-status": status ?? "" },
    STEPS.map((step, index) =>
      h("li", { class: index <= reached ? "done" : "", "aria-current": index === reached ? "step" : false }, statusBadge("docstatus", step)),
    ),
    status === "FAILED" ? h("li", { class: "failed" }, statusBadge("docstatus", "FAILED")) : null,
  );
}

function announce(caseId: string, chosen: File): Promise<CaseDocument & { upload: UploadForm }> {
  return api("POST", `/cases/${encodeURIComponent(caseId)}/documents`, {
    body: { filename: chosen.name, content_type: chosen.type, size: chosen.size },
  });
}

/** POST the bytes with the presigned form, reporting progress from 0 to 1. */
function sendBytes(form: UploadForm, chosen: File, onProgress: (fraction: number) => void): Promise<void> {
  const data = new FormData();
  for (const [name, value] of Object.entries(form.fields)) data.append(name, value);
  data.append("file", chosen);
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", form.url);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onload = () => {
      if (request.status >= 200 && request.status < 300) {
        onProgress(1);
        resolve();
      } else reject(new UserFacingError(t("docs.uploadFailed")));
    };
    request.onerror = () => reject(new UserFacingError(t("docs.uploadFailed")));
    request.send(data);
  });
}

async function follow(caseId: string, documentId: string, onStatus: (status: string) => void): Promise<CaseDocument> {
  let last = "";
  for (let attempt = 0; attempt < POLL_LIMIT; attempt += 1) {
    const document = await getDocument(caseId, documentId);
    if (document.status !== last) {
      last = document.status;
      onStatus(last);
    }
    if (last === "SIGNED" || last === "FAILED") return document;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error("timeout");
}

/** `#/cases/<id>/documents/<doc>`: the page, its text, its seal. */
export async function documentScreen(view: HTMLElement, params: Params): Promise<void> {
  replace(view, h("h1", {}, t("card.documents")), loading());
  const caseId = params.id ?? "";
  const [file, document] = await Promise.all([getCase(caseId), getDocument(caseId, params.doc ?? "")]);
  const back = h("p", { class: "no-print" }, h("a", { href: href(`/cases/${caseId}/documents`) }, t("app.back"), " — ", fileNumber(file.file_number)));
  const title = h("h1", {}, h("bdi", {}, document.filename), " ", statusBadge("docstatus", document.status));
  if (document.status === "FAILED") {
    // Refused or failed: why, in the user's language; the bytes are in quarantine.
    const why = document.reason_messages?.[currentLanguage()];
    replace(view, back, title, h("div", { class: "alert alert-error", role: "alert", "data-testid": "document-failed" }, h("strong", {}, t("docs.failed")), why ? h("p", {}, why) : null));
    return;
  }
  replace(view, back, title, h("div", { class: "reader" }, pageView(caseId, document), textView(document)), signaturePanel(caseId, document));
}

/** Whether the browser shows the document's bytes as an image. */
function showable(document: CaseDocument): boolean {
  return document.content_type === "image/png" || document.content_type === "image/jpeg";
}

function pageView(caseId: string, document: CaseDocument): HTMLElement {
  const alt = `${t("docs.scan")} — ${document.filename}`;
  const preview = previews.get(document.document_id);
  const holder = preview && showable(document) ? h("img", { src: preview, alt }) : h("p", { class: "muted" }, t("docs.loadingPage"));
  if (!preview) void showStored(caseId, document, holder, alt);
  return h("section", { class: "panel page-view", "aria-labelledby": "scan-title" }, h("h2", { id: "scan-title" }, t("docs.scan")), holder);
}

/** Replace ``holder`` with the stored page (an image) or a link to open it. */
async function showStored(caseId: string, document: CaseDocument, holder: HTMLElement, alt: string): Promise<void> {
  try {
    const link = await documentContent(caseId, document.document_id);
    const open = h("a", { href: link.url, target: "_blank", rel: "noopener noreferrer" }, t("docs.openOriginal"));
    if (showable(document)) holder.replaceWith(h("img", { src: link.url, alt }));
    else if (document.content_type === "application/pdf") holder.replaceWith(h("iframe", { src: link.url, title: alt, class: "page-frame" }), open);
    else holder.replaceWith(open);
  } catch {
    holder.textContent = t("docs.noPreview");
  }
}

function textView(document: CaseDocument): HTMLElement {
  const pages = document.text ?? [];
  return h(
    "section",
    { class: "panel text-view", "aria-labelledby": "text-title", "data-testid": "ocr-text" },
    h("h2", { id: "text-title" }, t("docs.text")),
    pages.length
      ? pages.map((page, index) =>
          h(
            "article",
            { class: "ocr-page" },
            h("h3", {}, t("docs.page", { n: page.page ?? index + 1 }), page.confidence !== undefined ? h("span", { class: "muted small" }, ` — ${t("docs.confidence")} ${formatConfidence(page.confidence)}`) : null),
            h("p", { class: "ocr-text", dir: "auto", lang: ocrLanguage(page.language) }, page.text),
          ),
        )
      : h("p", { class: "muted" }, t("docs.noText")),
  );
}

function formatConfidence(value: number): string {
  return formatPercent(value > 1 ? value / 100 : value);
}

function ocrLanguage(code: string | undefined): string {
  return code === "ara" ? "ar" : code === "fra" ? "fr" : code === "spa" ? "es" : "";
}

function signaturePanel(caseId: string, document: CaseDocument): HTMLElement {
  const signature = document.signature;
  const result = h("div", { "aria-live": "polite", "data-testid": "verification-result" });
  const verify = h("button", { type: "button", class: "primary" }, t("docs.verify"));
  verify.addEventListener("click", () => {
    void busy(verify, result, async () => {
      const outcome = await verifyDocument(caseId, document.document_id);
      replace(
        result,
        notice(outcome.valid ? t("docs.valid") : t("docs.invalid"), outcome.valid ? "success" : "warning"),
        facts([
          [t("docs.intact"), outcome.intact ? t("app.yes") : t("app.no")],
          [t("docs.trusted"), outcome.trusted ? t("app.yes") : t("app.no")],
          [t("docs.signedAt"), formatDate(outcome.signed_at, true)],
        ]),
        // The server's reason is technical English: shown only for a refusal.
        !outcome.valid && outcome.reason ? h("details", {}, h("summary", {}, t("docs.reason")), h("p", { lang: "en", dir: "ltr" }, outcome.reason)) : null,
      );
    });
  });
  return h(
    "section",
    { class: "panel", "aria-labelledby": "seal-title" },
    h("h2", { id: "seal-title" }, t("docs.signature")),
    signature
      ? [
          facts([
            [t("docs.format"), ltr(signature.format)],
            [t("docs.algorithm"), ltr(signature.algorithm)],
            [t("docs.signer"), h("bdi", { dir: "ltr" }, signature.certificate_subject)],
            [t("docs.certificate"), h("code", { class: "hash", dir: "ltr" }, signature.certificate_serial)],
            [t("docs.signedAt"), formatDate(signature.signing_time, true)],
            [t("docs.sha256"), document.sha256 ? h("code", { class: "hash", dir: "ltr" }, document.sha256) : t("app.none")],
          ]),
          verify,
          result,
        ]
      : h("p", { class: "muted" }, t("docs.unsigned")),
  );
}
