/**
 * Shared pieces of the screens: fields with their label and error, alerts,
 * tables, status badges, dialogs. Each is accessible by construction: labels
 * tied to inputs, errors announced and linked with aria-describedby.
 */

import { ApiError, UserFacingError } from "./api";
import { h, replace, uniqueId, type Child } from "./dom";
import { t, tDynamic } from "./i18n";
import type { MessageKey } from "./messages";

export interface Field<E extends HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement> {
  wrapper: HTMLElement;
  input: E;
  /** Show `message` under the field (or clear it with null). */
  setError(message: string | null): void;
}

interface FieldOptions {
  label: string;
  name: string;
  required?: boolean;
  hint?: string;
}

function wrap<E extends HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(
  options: FieldOptions,
  input: E,
): Field<E> {
  const id = input.id || uniqueId(options.name);
  input.id = id;
  input.name = options.name;
  if (options.required) input.required = true;
  const error = h("p", { class: "field-error", id: `${id}-error`, hidden: true });
  const hint = options.hint ? h("p", { class: "field-hint", id: `${id}-hint` }, options.hint) : null;
  const described = [hint ? `${id}-hint` : "", `${id}-error`].filter(Boolean).join(" ");
  input.setAttribute("aria-describedby", described);
  const label = h(
    "label",
    { for: id },
    options.label,
    options.required ? h("span", { class: "required", "aria-hidden": "true" }, " *") : null,
  );
  const wrapper = h("div", { class: "field" }, label, hint, input, error);
  return {
    wrapper,
    input,
    setError(message) {
      error.hidden = message === null;
      error.textContent = message ?? "";
      if (message) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
      wrapper.classList.toggle("has-error", message !== null);
    },
  };
}

export function textField(
  options: FieldOptions & { type?: string; value?: string; autocomplete?: string; dir?: string; maxlength?: number },
): Field<HTMLInputElement> {
  const input = h("input", {
    type: options.type ?? "text",
    autocomplete: options.autocomplete ?? "off",
    dir: options.dir,
    maxlength: options.maxlength,
  });
  if (options.value !== undefined) input.value = options.value;
  return wrap(options, input);
}

export function textArea(options: FieldOptions & { value?: string; rows?: number }): Field<HTMLTextAreaElement> {
  const input = h("textarea", { rows: options.rows ?? 3, dir: "auto" });
  if (options.value !== undefined) input.value = options.value;
  return wrap(options, input);
}

/**
 * A file chooser whose button and "no file" text are in the user's language
 * (the browser's own are in the browser's language). The real input stays in
 * the page, focusable, and shows the focus ring on the visible button.
 */
export function fileField(options: FieldOptions & { accept: string }): Field<HTMLInputElement> {
  const id = uniqueId(options.name);
  const input = h("input", { type: "file", id, name: options.name, accept: options.accept, class: "file-input", "aria-describedby": `${id}-chosen ${id}-error` });
  const chosen = h("span", { class: "file-chosen", id: `${id}-chosen` }, t("file.none"));
  input.addEventListener("change", () => {
    chosen.textContent = input.files?.[0]?.name ?? t("file.none");
  });
  const error = h("p", { class: "field-error", id: `${id}-error`, hidden: true });
  const wrapper = h(
    "div",
    { class: "field" },
    h("label", { for: id }, options.label),
    input,
    h("div", { class: "file-row" }, h("label", { for: id, class: "button secondary file-button", "aria-hidden": "true" }, t("file.choose")), chosen),
    error,
  );
  return {
    wrapper,
    input,
    setError(message) {
      error.hidden = message === null;
      error.textContent = message ?? "";
      wrapper.classList.toggle("has-error", message !== null);
    },
  };
}

export interface Choice {
  value: string;
  label: string;
}

export function selectField(
  options: FieldOptions & { choices: Choice[]; value?: string; placeholder?: string; multiple?: boolean },
): Field<HTMLSelectElement> {
  const input = h("select", { multiple: options.multiple ?? false });
  if (options.placeholder !== undefined) input.append(h("option", { value: "" }, options.placeholder));
  for (const choice of options.choices) {
    input.append(h("option", { value: choice.value, selected: choice.value === options.value }, choice.label));
  }
  return wrap(options, input);
}

/** An alert for a failed call: the API's message in the user's language, and the request id. */
export function errorAlert(error: unknown): HTMLElement {
  const apiError = error instanceof ApiError ? error : null;
  const message = apiError ? apiError.text() : error instanceof UserFacingError ? error.message : t("error.generic");
  return h(
    "div",
    { class: "alert alert-error", role: "alert" },
    h("strong", {}, t("error.title")),
    h("p", {}, message),
    apiError?.requestId ? h("p", { class: "muted small" }, `${t("error.requestId")} : `, h("bdi", {}, apiError.requestId)) : null,
  );
}

export function notice(text: string, kind: "info" | "success" | "warning" = "info"): HTMLElement {
  return h("div", { class: `alert alert-${kind}`, role: kind === "info" ? "status" : "alert" }, text);
}

/** The notice shown where a server route is not there yet. */
export function unavailable(): HTMLElement {
  return h("p", { class: "alert alert-info unavailable", role: "status" }, t("app.unavailable"));
}

export function loading(): HTMLElement {
  return h("p", { class: "loading", role: "status" }, t("app.loading"));
}

export function statusBadge(prefix: "status" | "docstatus", status: string): HTMLElement {
  const tone = status === "SIGNED" || status === "JUDGED" ? "ok" : status === "FAILED" ? "bad" : "neutral";
  return h("span", { class: `badge badge-${tone}`, "data-status": status }, tDynamic(`${prefix}.${status}`, status));
}

/** A table with a caption (read by screen readers) and header cells. */
export function table(caption: string, headers: string[], rows: Child[][], options: { captionHidden?: boolean } = {}): HTMLElement {
  // A wide table scrolls sideways on a phone: the region is focusable and
  // named so a keyboard can scroll it.
  return h(
    "div",
    { class: "table-wrap", role: "region", tabindex: "0", "aria-label": caption },
    h(
      "table",
      {},
      h("caption", { class: options.captionHidden ? "visually-hidden" : "" }, caption),
      h("thead", {}, h("tr", {}, headers.map((header) => h("th", { scope: "col" }, header)))),
      h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((cell) => h("td", {}, cell))))),
    ),
  );
}

/** A definition list of label/value pairs (details of a file, a signature...). */
export function facts(pairs: [string, Child][]): HTMLElement {
  return h("dl", { class: "facts" }, pairs.map(([label, value]) => h("div", {}, h("dt", {}, label), h("dd", {}, value ?? t("app.none")))));
}

export function heading(key: MessageKey, level: 1 | 2 = 1): HTMLElement {
  return h(level === 1 ? "h1" : "h2", {}, t(key));
}

/** A modal dialog (native <dialog>: focus stays inside, Escape closes). */
export function openDialog(title: string, body: Child[], actions: HTMLElement[] = []): HTMLDialogElement {
  const titleId = uniqueId("dialog-title");
  const close = h("button", { type: "button", class: "secondary", onclick: () => dialog.close() }, t("app.close"));
  const dialog = h(
    "dialog",
    { "aria-labelledby": titleId },
    h("h2", { id: titleId }, title),
    h("div", { class: "dialog-body" }, body),
    h("div", { class: "actions" }, ...actions, close),
  );
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

/** Run `work` with the button disabled and busy, showing a failure in `slot`. */
export async function busy(button: HTMLButtonElement, slot: HTMLElement, work: () => Promise<void>): Promise<void> {
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  replace(slot);
  try {
    await work();
  } catch (error) {
    replace(slot, errorAlert(error));
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}
