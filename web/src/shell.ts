/**
 * The frame around every screen: state band, brand, the user's menu, the
 * language switcher, and the main region the router renders into.
 */

import { api } from "./api";
import { h } from "./dom";
import { currentLanguage, setLanguage, t } from "./i18n";
import type { MessageKey } from "./messages";
import { go, href } from "./router";
import { session, type Role } from "./session";

/** Menu entries per role: what each may work on. */
const MENUS: Record<Role | "ANONYMOUS", [MessageKey, string][]> = {
  ADMIN: [["nav.home", "/"], ["nav.cases", "/cases"], ["nav.register", "/cases/new"], ["nav.hearings", "/hearings"], ["nav.search", "/search"], ["nav.statistics", "/statistics"], ["nav.users", "/users"], ["nav.reports", "/reports"], ["nav.verify", "/verify"]],
  JUDGE: [["nav.home", "/"], ["nav.cases", "/cases"], ["nav.hearings", "/hearings"], ["nav.search", "/search"], ["nav.statistics", "/statistics"], ["nav.verify", "/verify"]],
  CLERK: [["nav.home", "/"], ["nav.cases", "/cases"], ["nav.register", "/cases/new"], ["nav.hearings", "/hearings"], ["nav.search", "/search"], ["nav.statistics", "/statistics"], ["nav.verify", "/verify"]],
  LAWYER: [["nav.home", "/"], ["nav.search", "/search"], ["nav.track", "/track"], ["nav.verify", "/verify"]],
  CITIZEN: [["nav.home", "/"], ["nav.search", "/search"], ["nav.track", "/track"], ["nav.verify", "/verify"]],
  ANONYMOUS: [["nav.login", "/login"], ["nav.track", "/track"], ["nav.verify", "/verify"]],
};

/** An emblem drawn for this app: a five-pointed star within a seal ring. */
function emblem(): SVGSVGElement {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 48 48");
  svg.setAttribute("class", "emblem");
  svg.setAttribute("aria-hidden", "true");
  svg.innerHTML =
    '<circle cx="24" cy="24" r="22" fill="#fff" stroke="#b3202a" stroke-width="3"/>' +
    '<path d="M24 9 L28.4 20.6 L40.7 20.6 L30.8 27.9 L34.6 39.7 L24 32.4 L13.4 39.7 L17.2 27.9 L7.3 20.6 L19.6 20.6 Z" ' +
    'fill="none" stroke="#0b6b3a" stroke-width="2.4" stroke-linejoin="round"/>';
  return svg;
}

function languageSwitch(): HTMLElement {
  const next = currentLanguage() === "ar" ? "fr" : "ar";
  return h(
    "button",
    {
      type: "button",
      class: "language-switch",
      lang: next,
      title: t("app.switchToLabel"),
      "data-testid": "language-switch",
      onclick: () => setLanguage(next),
    },
    t("app.switchTo"),
  );
}

function menu(current: string): HTMLElement {
  const profile = session.profile();
  const role: Role | "ANONYMOUS" = profile?.role ?? "ANONYMOUS";
  const entries = MENUS[role];
  return h(
    "nav",
    { class: "menu", "aria-label": t("app.menu") },
    h(
      "ul",
      {},
      entries.map(([key, path]) =>
        h("li", {}, h("a", { href: href(path), "aria-current": isCurrent(path, current) ? "page" : false }, t(key))),
      ),
    ),
  );
}

function isCurrent(path: string, current: string): boolean {
  if (path === "/") return current === "/" || current === "";
  if (path === "/cases") return current === "/cases" || (current.startsWith("/cases/") && current !== "/cases/new");
  return current === path || current.startsWith(`${path}/`);
}

function userBox(): HTMLElement | null {
  const profile = session.profile();
  if (!profile) return null;
  const logout = (): void => {
    // Leave at once; the server ends every session of the user meanwhile.
    const token = session.idToken() ?? "";
    session.clear();
    go("/login");
    api("POST", "/auth/logout", { token, anonymous: false }).catch(() => undefined);
  };
  return h(
    "div",
    { class: "user-box" },
    h(
      "span",
      { class: "user-name", "data-testid": "user-name" },
      profile.full_name ?? profile.username,
      h("span", { class: "user-role" }, t(`role.${profile.role}`)),
    ),
    h("button", { type: "button", class: "link-button", onclick: logout }, t("app.logout")),
  );
}

/** Build the page frame; returns it with the element screens render into. */
export function shell(currentPath: string): { frame: HTMLElement; main: HTMLElement } {
  const main = h("main", { id: "main", tabindex: "-1" });
  const skip = h(
    "a",
    {
      class: "skip-link",
      href: "#main",
      onclick: (event: Event) => {
        event.preventDefault();
        main.focus();
      },
    },
    t("app.skip"),
  );
  const header = h(
    "header",
    { class: "masthead" },
    h(
      "div",
      { class: "state-band" },
      h("div", { class: "container band-row" }, h("span", {}, `${t("app.kingdom")} · ${t("app.ministry")}`), languageSwitch()),
    ),
    h(
      "div",
      { class: "container brand-row" },
      h("a", { class: "brand", href: href("/") }, emblem(), h("span", { class: "brand-text" }, h("span", { class: "brand-name" }, t("app.name")), h("span", { class: "brand-tagline" }, t("app.tagline")))),
      userBox(),
    ),
    h("div", { class: "menu-band" }, h("div", { class: "container" }, menu(currentPath))),
  );
  const footer = h("footer", { class: "site-footer" }, h("div", { class: "container" }, t("app.footer")));
  const frame = h("div", { class: "page" }, skip, header, h("div", { class: "container content" }, main), footer);
  return { frame, main };
}
