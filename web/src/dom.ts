/**
 * A few helpers to build DOM nodes without a framework.
 *
 * `h("button", { class: "primary", onclick: save }, t("save"))` makes a
 * button; attributes starting with "on" become event listeners, `true` sets a
 * boolean attribute, `false`, `null` and `undefined` leave it out.
 */

export type Child = Node | string | number | null | undefined | false;
type AttrValue = string | number | boolean | null | undefined | EventListener;
export type Attrs = Record<string, AttrValue>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    setAttribute(element, name, value);
  }
  append(element, ...children);
  return element;
}

function setAttribute(element: HTMLElement, name: string, value: AttrValue): void {
  if (value === null || value === undefined || value === false) return;
  if (typeof value === "function") {
    element.addEventListener(name.slice(2), value);
  } else if (value === true) {
    element.setAttribute(name, "");
  } else {
    element.setAttribute(name, String(value));
  }
}

/** Append children, skipping empty ones; strings become text nodes. */
export function append(parent: Node, ...children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace everything inside `parent`. */
export function replace(parent: Node, ...children: (Child | Child[])[]): void {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, ...children);
}

/**
 * A file number as one left-to-right unit: `17/1201/2026` keeps its order
 * inside Arabic text (a `<bdi dir="ltr">` isolates it from the paragraph).
 */
export function fileNumber(number: string): HTMLElement {
  return h("bdi", { dir: "ltr", class: "file-number" }, number);
}

/** Latin-script codes and identifiers (court codes, CIN, hashes) kept left to right. */
export function ltr(text: string): HTMLElement {
  return h("bdi", { dir: "ltr", class: "code" }, text);
}

let uniqueCounter = 0;

/** A fresh id for pairing labels, hints and errors with their field. */
export function uniqueId(prefix: string): string {
  uniqueCounter += 1;
  return `${prefix}-${uniqueCounter}`;
}
