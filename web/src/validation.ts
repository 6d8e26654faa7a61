/**
 * Field checks shared by the forms, and the translation of the API's field
 * problems (pydantic's error types) into messages in the user's language.
 */

import type { FieldProblem } from "./api";
import { currentLanguage, t } from "./i18n";

/**
 * A case file number as typed, with its parts: serial/type/year. Arabic-Indic
 * digits (as an Arabic keyboard types them) and the Arabic slash read as their
 * Western forms; bidi marks a right-to-left field adds are ignored.
 */
export function parseFileNumber(value: string, maxSerialDigits: number): [string, string, string] | null {
  const western = value
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/[\u200e\u200f\u061c\u2066-\u2069]/g, "")
    .replace(/\u2215/g, "/");
  const pattern = new RegExp(`^\\s*(\\d{1,${maxSerialDigits}})\\s*/\\s*(\\d{4})\\s*/\\s*(\\d{4})\\s*$`);
  const parts = pattern.exec(western);
  return parts ? [parts[1] ?? "", parts[2] ?? "", parts[3] ?? ""] : null;
}

/** A national ID (CIN): one or two letters then digits, e.g. BK123456 (checked loosely). */
export const NATIONAL_ID = /^[A-Za-z]{1,2}[0-9]{1,8}$/;

// Control, format and bidi characters the API refuses in court records.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/;

/** The problem with a required text, or null: empty, too long, invisible characters. */
export function checkText(value: string, max: number, required = true): string | null {
  const trimmed = value.trim();
  if (!trimmed) return required ? t("field.required") : null;
  if (trimmed.length > max) return t("field.tooLong", { max });
  if (INVISIBLE.test(trimmed)) return t("field.invisible");
  return null;
}

/** The message for one problem the API reported, by its pydantic type. */
export function problemMessage(problem: FieldProblem): string {
  const field = problem.field.split(".").pop() ?? "";
  switch (problem.type) {
    case "missing":
      return t("field.required");
    case "string_too_long":
    case "too_long":
      return t("field.tooLong", { max: 500 });
    case "string_too_short":
    case "too_short":
      return t("field.required");
    case "string_pattern_mismatch":
      return field === "username" ? t("field.username") : t("field.pattern");
    case "enum":
      return t("field.choice");
    default:
      if (field === "national_id") return t("field.nationalId");
      if (field === "email") return t("field.email");
      return problem.messages?.[currentLanguage()] ?? t("field.invalid");
  }
}

/**
 * Place each API problem next to its field: `fields` maps a dotted path such
 * as `parties.0.name` to a setter; problems with no field are returned.
 */
export function placeProblems(problems: FieldProblem[], fields: Map<string, (message: string) => void>): FieldProblem[] {
  const unplaced: FieldProblem[] = [];
  for (const problem of problems) {
    const setter = fields.get(problem.field);
    if (setter) setter(problemMessage(problem));
    else unplaced.push(problem);
  }
  return unplaced;
}
