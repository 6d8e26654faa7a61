/**
 * The court's data as the API returns it, and the calls that fetch it.
 *
 * Routes marked "issue 4" are being built on the server; they go through
 * `optional` and resolve to null while missing, so screens can say so.
 */

import { api, optional, query } from "./api";
import { pick } from "./i18n";
import type { Bilingual } from "./messages";
import { session, type Profile } from "./session";

export interface CaseType {
  code: string;
  name_ar: string;
  name_fr: string;
}

export interface Court {
  code: string;
  type: string;
  city: string;
  appeal_court: string | null;
  names: Bilingual;
  case_types: CaseType[];
}

export interface CaseSummary {
  id: string;
  file_number: string;
  court_code: string;
  case_type_code: string;
  subject: string;
  status: string;
  registered_at: string;
}

export interface Counsel {
  bar: string;
  roll_number: string;
}

export interface Party {
  id?: string;
  role: string;
  kind?: string;
  name: string;
  name_latin?: string;
  national_id?: string;
  trade_register?: string;
  lawyers?: Counsel[];
}

export interface CaseFile extends CaseSummary {
  serial: number;
  year: number;
  registered_by: string;
  version: number;
  /** The statuses this file may be moved to now (the API's transition table). */
  next_statuses?: string[];
  parties: Party[];
  national_number?: string | null;
  reporting_judge?: { username: string; name: string | null } | null;
  next_hearing_at?: string | null;
  last_judgment?: { number: string; date: string } | null;
}

export interface Page {
  page: number;
  text: string;
  language?: string;
  confidence?: number;
}

export interface Signature {
  format: string;
  algorithm: string;
  certificate_subject: string;
  certificate_serial: string;
  signing_time: string;
}

export interface CaseDocument {
  document_id: string;
  case_id: string;
  status: string;
  filename: string;
  content_type: string;
  source?: string;
  size: number | null;
  sha256: string | null;
  pages: number | null;
  language: string | null;
  created_at: string;
  updated_at: string;
  signature: Signature | null;
  reason?: string;
  /** Why processing failed, in Arabic and French. */
  reason_messages?: Partial<Bilingual>;
  text?: Page[];
}

export interface UploadForm {
  url: string;
  fields: Record<string, string>;
}

export interface Verification {
  valid: boolean;
  intact: boolean;
  trusted: boolean;
  signed_at: string | null;
  signer: string | null;
  algorithm: string | null;
  format: string | null;
  reason: string | null;
}

/** One entry of the procedures register (`GET /cases/{id}/timeline`). */
export interface TimelineEvent {
  date: string;
  action: string;
  action_name?: Partial<Bilingual> | null;
  next_hearing_at?: string | null;
  decision?: string | null;
  recorded_by?: string | null;
}

/** A hearing of a case or of a court's list for a day. */
export interface Hearing {
  id: string;
  case_id?: string;
  file_number: string;
  case_type_code?: string;
  starts_at: string;
  room?: string | null;
  status?: string;
  subject?: string;
  judge?: string | null;
  postponements?: number;
  postponement_reason?: string | null;
  outcome?: string | null;
  decision?: string | null;
}

export interface Judgment {
  number: string;
  date: string;
  operative_part?: string | null;
  document_id?: string | null;
}

export interface LinkedFile {
  kind: string;
  case_id?: string | null;
  court_code: string;
  file_number: string;
  case_type_code?: string;
  linked_at?: string;
}

/** One search result: a case, or a page of a document (`GET /search`). */
export interface SearchResult {
  kind: string;
  case_id: string;
  court_code: string;
  case_type_code: string;
  year: number;
  status: string;
  file_number: string;
  highlights: Record<string, string[]>;
  subject?: string;
  document_id?: string;
  page?: number;
  filename?: string;
}

export async function loadProfile(): Promise<Profile> {
  const profile = await api<Profile>("GET", "/me");
  session.setProfile(profile);
  return profile;
}

let courtsCache: Court[] | null = null;

/** The judicial map (courts and their case types), fetched once per page load. */
/** The court's clock as the API gives it with the courts. */
export interface CourtClock {
  court_date?: string;
  court_utc_offset_minutes?: number;
}

let courtOffsetMinutes: number | null = null;

/** Keep the court's UTC offset from an answer that carries it. */
export function rememberCourtClock(clock: CourtClock): void {
  if (typeof clock.court_utc_offset_minutes === "number") courtOffsetMinutes = clock.court_utc_offset_minutes;
}

export async function loadCourts(): Promise<Court[]> {
  if (!courtsCache) {
    const answer = await api<{ courts: Court[] } & CourtClock>("GET", "/courts");
    rememberCourtClock(answer);
    courtsCache = answer.courts;
  }
  return courtsCache;
}

export function courtName(courts: Court[], code: string): string {
  const court = courts.find((candidate) => candidate.code === code);
  return court ? pick(court.names, code) : code;
}

export function caseTypeName(courts: Court[], code: string): string {
  for (const court of courts) {
    const found = court.case_types.find((caseType) => caseType.code === code);
    if (found) return pick({ ar: found.name_ar, fr: found.name_fr }, code);
  }
  return code;
}

export interface CaseFilters {
  court: string;
  year?: string;
  status?: string;
  type?: string;
  cursor?: string | null;
  limit?: number;
}

export function listCases(filters: CaseFilters): Promise<{ cases: CaseSummary[]; next_cursor: string | null }> {
  return api("GET", `/cases${query({ ...filters })}`);
}

export function getCase(caseId: string): Promise<CaseFile> {
  return api("GET", `/cases/${encodeURIComponent(caseId)}`);
}

/** The caller's own cases, for lawyers and citizens (`GET /my/cases`). */
export function myCases(): Promise<{ cases: CaseSummary[]; next_cursor: string | null } | null> {
  return optional("GET", "/my/cases");
}

export function caseTimeline(caseId: string): Promise<{ timeline: TimelineEvent[] } | null> {
  return optional("GET", `/cases/${encodeURIComponent(caseId)}/timeline`);
}

export function caseHearings(caseId: string): Promise<{ hearings: Hearing[] } | null> {
  return optional("GET", `/cases/${encodeURIComponent(caseId)}/hearings`);
}

export function caseJudgments(caseId: string): Promise<{ judgments: Judgment[] } | null> {
  return optional("GET", `/cases/${encodeURIComponent(caseId)}/judgments`);
}

export function caseLinks(caseId: string): Promise<{ links: LinkedFile[] } | null> {
  return optional("GET", `/cases/${encodeURIComponent(caseId)}/links`);
}

/** A court's hearing list for a day, `date` as YYYY-MM-DD. */
export function courtHearings(court: string, date: string): Promise<{ hearings: Hearing[] } | null> {
  return optional("GET", `/courts/${encodeURIComponent(court)}/hearings${query({ date })}`);
}

export interface SearchAnswer {
  total: number;
  results: SearchResult[];
}

export function search(params: Record<string, string>): Promise<SearchAnswer | null> {
  return optional("GET", `/search${query(params)}`);
}

export function listDocuments(caseId: string): Promise<{ documents: CaseDocument[] }> {
  return api("GET", `/cases/${encodeURIComponent(caseId)}/documents`);
}

export function getDocument(caseId: string, documentId: string): Promise<CaseDocument> {
  return api("GET", `/cases/${encodeURIComponent(caseId)}/documents/${encodeURIComponent(documentId)}`);
}

/** A one-minute address of a document's bytes as received (audited by the API). */
export function documentContent(caseId: string, documentId: string): Promise<{ url: string; content_type: string }> {
  return api(
    "GET",
    `/cases/${encodeURIComponent(caseId)}/documents/${encodeURIComponent(documentId)}/content?variant=original`,
  );
}

export function verifyDocument(caseId: string, documentId: string): Promise<Verification> {
  return api(
    "GET",
    `/cases/${encodeURIComponent(caseId)}/documents/${encodeURIComponent(documentId)}/verification`,
  );
}

/** Today as YYYY-MM-DD at the court. */
export function today(): string {
  // The court's day, wherever the browser is. The API's offset comes first:
  // a browser's zone data can lag Morocco's (Chromium 156 puts Casablanca at
  // UTC+0 in December); the browser's own rules only until the API answered.
  if (courtOffsetMinutes !== null) return new Date(Date.now() + courtOffsetMinutes * 60_000).toISOString().slice(0, 10);
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: COURT_TIME_ZONE, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(new Date());
  const part = (type: string): string => parts.find((item) => item.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")}`;
}

/** The time zone of Morocco's courts. */
export const COURT_TIME_ZONE = "Africa/Casablanca";

export const STATUSES = ["REGISTERED", "SCHEDULED", "DELIBERATION", "JUDGED", "APPEALED", "CLOSED", "ARCHIVED"];
