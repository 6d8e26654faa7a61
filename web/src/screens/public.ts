/**
 * Services without login: tracking a file by its number, and checking that a
 * document was sealed by the court (`/public/verification`).
 */

import { api, ApiError, optional } from "../api";
import { h, replace, fileNumber, ltr } from "../dom";
import { formatDate, pick, t, tDynamic } from "../i18n";
import type { Bilingual } from "../messages";
import { rememberCourtClock, today, type CourtClock, type Hearing, type TimelineEvent } from "../domain";
import { hearingsTable } from "./hearings";
import { errorAlert, facts, fileField, loading, notice, selectField, table, textField, unavailable, type Field } from "../ui";
import { parseFileNumber } from "../validation";

/** The public file card (`GET /public/cases?court=&serial=&code=&year=`): never the parties. */
interface PublicCard {
  court: { code: string; name_ar: string | null; name_fr: string | null };
  file_number: string;
  national_number?: string | null;
  case_type: { code: string; name_ar?: string; name_fr?: string };
  subject?: string;
  status: string;
  registered_on: string;
  reporting_judge?: string | null;
  next_hearing_at?: string | null;
  last_judgment?: { number: string; date: string } | null;
  timeline: TimelineEvent[];
}

interface PublicCourt {
  code: string;
  names: Bilingual;
}


async function courtField(name = "court"): Promise<Field<HTMLSelectElement> | Field<HTMLInputElement>> {
  const answer = await optional<{ courts: PublicCourt[] } & CourtClock>("GET", "/public/courts", { anonymous: true }).catch(() => null);
  if (answer) rememberCourtClock(answer);
  if (answer) {
    return selectField({ label: t("cases.court"), name, required: true, placeholder: t("register.chooseCourt"), choices: answer.courts.map((court) => ({ value: court.code, label: pick(court.names, court.code) })) });
  }
  return textField({ label: t("cases.court"), name, required: true, dir: "ltr", hint: "TPI-RABAT" });
}

export async function trackScreen(view: HTMLElement): Promise<void> {
  replace(view, h("h1", {}, t("track.title")), loading());
  const court = await courtField();
  const number = textField({ label: t("track.number"), name: "number", required: true, dir: "ltr", hint: t("track.numberHint") });
  const result = h("div", { "aria-live": "polite", "data-testid": "track-result" });
  const form = h("form", { class: "filters panel", novalidate: true }, court.wrapper, number.wrapper, h("div", { class: "filter-actions" }, h("button", { type: "submit", class: "primary" }, t("track.submit"))));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const parsed = parseFileNumber(number.input.value, 7);
    court.setError(court.input.value.trim() ? null : t("field.required"));
    number.setError(parsed ? null : t("track.numberInvalid"));
    if (!parsed || !court.input.value.trim()) return;
    void track(result, court.input.value.trim().toUpperCase(), parsed);
  });
  replace(view, h("h1", {}, t("track.title")), h("p", { class: "muted" }, t("track.intro")), form, result, await publicHearings());
}

/** A court's public hearing table of a day (`GET /public/hearings?court=&date=`). */
async function publicHearings(): Promise<HTMLElement> {
  const court = await courtField("hearings-court");
  const day = textField({ label: t("hearings.day"), name: "date", type: "date", required: true, dir: "ltr", value: today() });
  const result = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "filters", novalidate: true }, court.wrapper, day.wrapper, h("div", { class: "filter-actions" }, h("button", { type: "submit", class: "secondary" }, t("hearings.show"))));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    court.setError(court.input.value.trim() ? null : t("field.required"));
    day.setError(day.input.value ? null : t("field.required"));
    if (!court.input.value.trim() || !day.input.value) return;
    void showPublicHearings(result, court.input.value.trim().toUpperCase(), day.input.value);
  });
  return h("section", { class: "panel", "aria-labelledby": "public-hearings-title" }, h("h2", { id: "public-hearings-title" }, t("track.hearingsTitle")), h("p", { class: "muted" }, t("track.hearingsIntro")), form, result);
}

async function showPublicHearings(result: HTMLElement, court: string, date: string): Promise<void> {
  replace(result, loading());
  try {
    const answer = await optional<{ hearings: Hearing[] }>("GET", `/public/hearings?${new URLSearchParams({ court, date }).toString()}`, { anonymous: true });
    if (answer === null) replace(result, unavailable());
    else if (!answer.hearings.length) replace(result, h("p", { class: "empty" }, t("hearings.empty")));
    else replace(result, hearingsTable(answer.hearings, t("track.hearingsTitle"), { isPublic: true }));
  } catch (error) {
    replace(result, errorAlert(error));
  }
}

async function track(result: HTMLElement, court: string, [serial, code, year]: [string, string, string]): Promise<void> {
  replace(result, loading());
  try {
    const search = new URLSearchParams({ court, serial: String(Number(serial)), code, year });
    const card = await optional<PublicCard>("GET", `/public/cases?${search.toString()}`, { anonymous: true });
    replace(result, card === null ? unavailable() : publicCard(card));
  } catch (error) {
    const unknown = error instanceof ApiError && error.status === 404;
    replace(result, unknown ? notice(t("track.notFound"), "warning") : errorAlert(error));
  }
}

function publicCard(card: PublicCard): HTMLElement {
  const caseType = card.case_type.name_ar ? pick({ ar: card.case_type.name_ar, fr: card.case_type.name_fr ?? "" }) : card.case_type.code;
  return h(
    "section",
    { class: "panel", "data-testid": "public-card" },
    h("h2", {}, t("card.title"), " ", fileNumber(card.file_number)),
    facts([
      [t("card.court"), pick({ ar: card.court.name_ar ?? card.court.code, fr: card.court.name_fr ?? card.court.code })],
      [t("cases.fileNumber"), fileNumber(card.file_number)],
      [t("card.nationalNumber"), card.national_number ? fileNumber(card.national_number) : t("app.none")],
      [t("card.caseType"), caseType],
      [t("cases.subject"), card.subject ?? t("app.none")],
      [t("cases.registeredAt"), formatDate(card.registered_on)],
      [t("card.judge"), card.reporting_judge ?? t("app.none")],
      [t("cases.status"), tDynamic(`status.${card.status}`, card.status)],
      [t("card.nextHearing"), card.next_hearing_at ? formatDate(card.next_hearing_at, true) : t("app.none")],
      [t("card.lastJudgment"), card.last_judgment ? h("span", {}, fileNumber(card.last_judgment.number), " — ", formatDate(card.last_judgment.date)) : t("app.none")],
    ]),
    h("h3", {}, t("card.timeline")),
    card.timeline.length
      ? table(
          t("card.timeline"),
          [t("card.date"), t("card.action"), t("card.nextHearing")],
          card.timeline.map((event) => [
            formatDate(event.date, true),
            event.action_name ? pick(event.action_name, event.action) : event.action,
            event.next_hearing_at ? formatDate(event.next_hearing_at, true) : t("app.none"),
          ]),
          { captionHidden: true },
        )
      : h("p", { class: "empty" }, t("card.noEvents")),
  );
}

interface PublicVerification {
  registered: boolean;
  sha256: string;
  fingerprint_of?: string;
  signed_at: string;
  signer: string;
  format: string;
  court_code: string;
  file_number: string;
  valid?: boolean;
  intact?: boolean;
  trusted?: boolean;
  /** Every sealed document registered with these bytes, latest first. */
  documents?: PublicVerification[];
}

const MAX_CONTENT = 4 * 1024 * 1024;

export function verifyScreen(view: HTMLElement): void {
  const chooser = fileField({ label: t("verify.file"), name: "document", accept: "application/pdf,image/*" });
  const fileInput = chooser.input;
  const hash = textField({ label: t("verify.hash"), name: "sha256", dir: "ltr", maxlength: 64 });
  const result = h("div", { "aria-live": "polite", "data-testid": "verify-result" });
  const form = h(
    "form",
    { class: "panel stack", novalidate: true },
    chooser.wrapper,
    h("p", { class: "muted" }, t("verify.or")),
    hash.wrapper,
    h("div", {}, h("button", { type: "submit", class: "primary" }, t("verify.submit"))),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = fileInput.files?.[0];
    const digest = hash.input.value.trim().toLowerCase();
    hash.setError(!chosen && digest && !/^[0-9a-f]{64}$/.test(digest) ? t("verify.hashInvalid") : null);
    if (!chosen && !digest) {
      replace(result, notice(t("verify.need"), "warning"));
      return;
    }
    if (!chosen && !/^[0-9a-f]{64}$/.test(digest)) return;
    void verify(result, chosen ?? null, digest);
  });
  replace(view, h("h1", {}, t("verify.title")), h("p", { class: "muted" }, t("verify.intro")), form, result);
}

async function verify(result: HTMLElement, chosen: File | null, digest: string): Promise<void> {
  replace(result, loading());
  try {
    const answer = chosen && chosen.size <= MAX_CONTENT ? await verifyBytes(chosen) : await api<PublicVerification>("GET", `/public/verification/${chosen ? await sha256Of(chosen) : digest}`, { anonymous: true });
    replace(result, verificationCard(answer));
  } catch (error) {
    const notRegistered = error instanceof ApiError && error.status === 404;
    replace(result, notRegistered ? notice(t("verify.notRegistered"), "warning") : errorAlert(error));
  }
}

async function verifyBytes(chosen: File): Promise<PublicVerification> {
  const bytes = new Uint8Array(await chosen.arrayBuffer());
  let binary = "";
  for (let start = 0; start < bytes.length; start += 0x8000) binary += String.fromCharCode(...bytes.subarray(start, start + 0x8000));
  return api<PublicVerification>("POST", "/public/verification", { body: { content_base64: btoa(binary) }, anonymous: true });
}

async function sha256Of(chosen: File): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await chosen.arrayBuffer());
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

function verificationCard(answer: PublicVerification): HTMLElement {
  // The same bytes may be sealed in several files: one block each.
  const documents = answer.documents?.length ? answer.documents : [answer];
  return h(
    "section",
    { class: "panel" },
    notice(t("verify.registered"), "success"),
    documents.map((document) => sealedDocument(document, answer.sha256)),
  );
}

function sealedDocument(document: PublicVerification, sha256: string): HTMLElement {
  const sealChecked = document.valid !== undefined;
  return h(
    "div",
    { class: "stack", "data-testid": "verified-document" },
    sealChecked ? notice(document.valid ? t("verify.sealOk") : t("verify.sealBad"), document.valid ? "success" : "warning") : null,
    facts([
      [t("card.court"), ltr(document.court_code)],
      [t("cases.fileNumber"), fileNumber(document.file_number)],
      [t("docs.signedAt"), formatDate(document.signed_at, true)],
      [t("docs.signer"), h("bdi", { dir: "ltr" }, document.signer)],
      [t("docs.format"), ltr(document.format)],
      [t("docs.sha256"), h("code", { class: "hash", dir: "ltr" }, sha256)],
    ]),
  );
}
