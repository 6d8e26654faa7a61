/**
 * Field checks shared by the forms, and the translation of the API's field
 * problems (pydantic's error types) into messages in the user's language.
 */

import type { FieldProblem } from "./api";
import { currentLanguage, t } from "./i18n";

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
