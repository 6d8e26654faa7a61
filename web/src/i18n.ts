/**
 * Language of the interface: Arabic (right to left, the default) or French.
 *
 * The choice is remembered in localStorage; dates and numbers follow the
 * language through Intl with the Moroccan locales (ar-MA, fr-MA).
 */

import { MESSAGES, type Bilingual, type MessageKey } from "./messages";

export type Language = "ar" | "fr";

const STORAGE_KEY = "justicia.language";
const LOCALES: Record<Language, string> = { ar: "ar-MA", fr: "fr-MA" };

let language: Language = readStoredLanguage();
const listeners: (() => void)[] = [];

function readStoredLanguage(): Language {
  try {
    return localStorage.getItem(STORAGE_KEY) === "fr" ? "fr" : "ar";
  } catch {
    return "ar";
  }
}

export function currentLanguage(): Language {
  return language;
}

/** Switch language, remember it, set `lang`/`dir` on <html>, tell listeners. */
export function setLanguage(next: Language): void {
  language = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Private browsing may refuse storage; the choice then lasts the visit.
  }
  applyLanguage();
  for (const listener of listeners) listener();
}

export function applyLanguage(): void {
  const root = document.documentElement;
  root.lang = language;
  root.dir = language === "ar" ? "rtl" : "ltr";
  document.title = t("app.name");
}

export function onLanguageChange(listener: () => void): void {
  listeners.push(listener);
}

/** The message `key` in the current language, with `{name}` placeholders filled. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const message: Bilingual = MESSAGES[key];
  return message[language].replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : typeof value === "number" ? formatNumber(value) : value;
  });
}

/** A message whose key is built at run time (a status, a role); `fallback` if unknown. */
export function tDynamic(key: string, fallback: string): string {
  const message = (MESSAGES as Record<string, Bilingual>)[key];
  return message ? message[language] : fallback;
}

/** Pick the right side of a bilingual value from the API (court names...). */
export function pick(value: Partial<Bilingual> | null | undefined, fallback = ""): string {
  return value?.[language] ?? value?.ar ?? value?.fr ?? fallback;
}

export function formatNumber(value: number): string {
  return new Intl.NumberFormat(LOCALES[language]).format(value);
}

/** A fraction (0.885) as a percentage in the user's language: `88,5 %` / `88.5٪`. */
export function formatPercent(fraction: number): string {
  return new Intl.NumberFormat(LOCALES[language], { style: "percent", maximumFractionDigits: 1 }).format(fraction);
}

/**
 * The wall-clock date and time an ISO string states, as a Date read in UTC.
 *
 * The API gives court times with the court's offset (`2026-12-04T09:00:00+01:00`):
 * the hour shown is the hour written, never converted through the browser's
 * own time-zone data (which may disagree with Morocco's legal offset).
 */
function wallClock(iso: string): Date | null {
  const parts = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?/.exec(iso);
  if (!parts) return null;
  const number = (index: number): number => Number(parts[index] ?? 0);
  return new Date(Date.UTC(number(1), number(2) - 1, number(3), number(4), number(5)));
}

/** A date (and time when `withTime`) from an ISO string, in the user's language. */
export function formatDate(iso: string | null | undefined, withTime = false): string {
  if (!iso) return t("app.none");
  const moment = wallClock(iso);
  if (!moment) return iso;
  const options: Intl.DateTimeFormatOptions = { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" };
  if (withTime) Object.assign(options, { hour: "2-digit", minute: "2-digit" });
  return new Intl.DateTimeFormat(LOCALES[language], options).format(moment);
}

/** A time of day (`09:30`) from an ISO string or `HH:MM`, as written. */
export function formatTime(value: string | null | undefined): string {
  if (!value) return t("app.none");
  if (/^\d{2}:\d{2}/.test(value)) return value.slice(0, 5);
  const moment = wallClock(value);
  if (!moment) return value;
  return new Intl.DateTimeFormat(LOCALES[language], { hour: "2-digit", minute: "2-digit", timeZone: "UTC" }).format(moment);
}

/** A byte count in the user's language: `1,2 Mo` / `1.2 ميغابايت`. */
export function formatBytes(bytes: number): string {
  const units = ["byte", "kilobyte", "megabyte", "gigabyte"] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return new Intl.NumberFormat(LOCALES[language], {
    style: "unit",
    unit: units[unit],
    unitDisplay: "short",
    maximumFractionDigits: 1,
  }).format(value);
}
