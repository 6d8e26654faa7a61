/**
 * What the user typed survives a change of language: the screen is drawn
 * again in the other language, and its form fields get their values back.
 * Passwords and chosen files are never kept.
 */

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
export type Typed = Map<string, string | boolean>;

const FIELDS = "main form input[name], main form select[name], main form textarea[name]";
const NEVER_KEPT = new Set(["password", "file", "hidden", "submit", "button"]);

/** Each kept field of the screen's forms with its key: its name and rank. */
function keyedFields(): [string, Control][] {
  const seen = new Map<string, number>();
  const fields: [string, Control][] = [];
  for (const field of document.querySelectorAll<Control>(FIELDS)) {
    if (field instanceof HTMLInputElement && NEVER_KEPT.has(field.type)) continue;
    const rank = seen.get(field.name) ?? 0;
    seen.set(field.name, rank + 1);
    fields.push([`${field.name}#${rank}`, field]);
  }
  return fields;
}

function isTicked(field: Control): field is HTMLInputElement {
  return field instanceof HTMLInputElement && (field.type === "checkbox" || field.type === "radio");
}

/** The values now in the screen's forms. */
export function typedValues(): Typed {
  return new Map(keyedFields().map(([key, field]) => [key, isTicked(field) ? field.checked : field.value]));
}

/** Put the values back into the fields of the same name and rank. */
export function restoreValues(typed: Typed): void {
  for (const [key, field] of keyedFields()) {
    const value = typed.get(key);
    if (value === undefined) continue;
    if (isTicked(field)) field.checked = value === true;
    else if (typeof value === "string") field.value = value;
  }
}
