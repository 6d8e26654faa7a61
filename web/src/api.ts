/**
 * Calls to the court API: bearer token, the user's language, and errors.
 *
 * Every refusal becomes an `ApiError` carrying the envelope's bilingual
 * messages and the fields at fault, so screens show it in the user's language
 * and never as raw JSON.
 */

import { config } from "./config";
import { currentLanguage, t, type Language } from "./i18n";
import type { Bilingual } from "./messages";
import { session } from "./session";

export interface FieldProblem {
  field: string;
  reason: string;
  type?: string;
  /** What is wrong, in Arabic and French, as the API words it. */
  messages?: Partial<Bilingual>;
}

interface ErrorEnvelope {
  error?: {
    code?: string;
    message?: string;
    messages?: Partial<Bilingual>;
    reason_messages?: Partial<Bilingual>;
    request_id?: string;
    details?: FieldProblem[];
  };
  message?: string | null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly messages: Partial<Bilingual> | null,
    readonly details: FieldProblem[] = [],
    readonly requestId: string | null = null,
    readonly reasonMessages: Partial<Bilingual> | null = null,
  ) {
    super(`${status} ${code}`);
  }

  /** The message to show, in `language`: what went wrong, then why when known. */
  text(language: Language = currentLanguage()): string {
    const fromServer = this.messages?.[language];
    const why = this.reasonMessages?.[language];
    if (fromServer) return why ? `${fromServer} ${why}` : fromServer;
    if (this.code === "network") return t("error.network");
    if (this.status === 401) return t("error.unauthorized");
    if (this.status === 403) return t("error.forbidden");
    return t("error.generic");
  }

  /** True when the server has no such route yet (API Gateway's 403/404 without envelope). */
  get routeMissing(): boolean {
    return this.messages === null && (this.status === 403 || this.status === 404);
  }
}

/** A failure outside the API whose message is already in the user's language. */
export class UserFacingError extends Error {}

type Method = "GET" | "POST" | "PUT" | "DELETE" | "PATCH";

interface CallOptions {
  body?: unknown;
  /** Public routes send no token. */
  anonymous?: boolean;
  /** A token other than the session's (signing out after the session is gone). */
  token?: string;
}

/** Hook called when the session can no longer be renewed (set by the app shell). */
let onSessionLost: () => void = () => undefined;

export function whenSessionLost(handler: () => void): void {
  onSessionLost = handler;
}

export async function api<T>(method: Method, path: string, options: CallOptions = {}): Promise<T> {
  let answer = await send(method, path, options);
  if (answer.status === 401 && !options.anonymous && (await session.renew())) {
    answer = await send(method, path, options);
  }
  if (answer.status === 401 && !options.anonymous) {
    session.clear();
    onSessionLost();
  }
  return read<T>(answer);
}

async function send(method: Method, path: string, options: CallOptions): Promise<Response> {
  const headers: Record<string, string> = { "Accept-Language": currentLanguage(), Accept: "application/json" };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  const token = options.token ?? session.idToken();
  if (token && !options.anonymous) headers.Authorization = `Bearer ${token}`;
  try {
    return await fetch(`${config().apiBase}${path}`, {
      method,
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiError(0, "network", null);
  }
}

async function read<T>(answer: Response): Promise<T> {
  const text = await answer.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (answer.ok) return body as T;
  throw errorFrom(answer.status, body as ErrorEnvelope | null);
}

function errorFrom(status: number, body: ErrorEnvelope | null): ApiError {
  const error = body?.error;
  if (!error) return new ApiError(status, status === 401 ? "unauthorized" : "http", null);
  return new ApiError(
    status,
    error.code ?? "error",
    error.messages ?? null,
    error.details ?? [],
    error.request_id ?? null,
    error.reason_messages ?? null,
  );
}

/** Build `?a=1&b=2` from the non-empty values. */
export function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "") search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

/**
 * Call a route that the server may not have yet; `null` when it is missing.
 *
 * Screens use it for the case-management routes being built (issue 4) and
 * show "not yet available" instead of an error.
 */
export async function optional<T>(method: Method, path: string, options: CallOptions = {}): Promise<T | null> {
  try {
    return await api<T>(method, path, options);
  } catch (error) {
    if (error instanceof ApiError && error.routeMissing) return null;
    throw error;
  }
}
