/**
 * Sign-in, and the forced choice of a new password.
 *
 * `POST /auth/login` answers tokens, or `{"challenge": "NEW_PASSWORD_REQUIRED",
 * "session"}` for a temporary or expired password; `POST /auth/password`
 * answers that challenge with the new password and returns tokens.
 */

import { api } from "../api";
import { h, replace } from "../dom";
import { loadProfile } from "../domain";
import { t } from "../i18n";
import { go, href, type Params } from "../router";
import { session } from "../session";
import { busy, textField } from "../ui";

interface Tokens {
  id_token: string;
  refresh_token?: string;
}

interface Challenge {
  challenge: "NEW_PASSWORD_REQUIRED";
  session: string;
}

/** The pool's rules, checked before asking the server (it checks again). */
export function passwordProblems(password: string): boolean {
  return (
    password.length < 12 ||
    !/[A-Z]/.test(password) ||
    !/[a-z]/.test(password) ||
    !/[0-9]/.test(password) ||
    !/[^A-Za-z0-9]/.test(password)
  );
}

async function enter(tokens: Tokens, next: string | null): Promise<void> {
  session.start(tokens.id_token, tokens.refresh_token ?? null);
  await loadProfile();
  go(next && next.startsWith("/") ? next : "/");
}

export function loginScreen(view: HTMLElement, _params: Params, query: URLSearchParams): void {
  const next = query.get("next");
  const username = textField({ label: t("login.username"), name: "username", required: true, autocomplete: "username", dir: "ltr" });
  const password = textField({ label: t("login.password"), name: "password", type: "password", required: true, autocomplete: "current-password", dir: "ltr" });
  const problems = h("div", { "aria-live": "polite" });
  const submit = h("button", { type: "submit", class: "primary" }, t("login.submit"));
  const form = h("form", { class: "stack", novalidate: true }, problems, username.wrapper, password.wrapper, submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const name = username.input.value.trim();
    username.setError(name ? null : t("field.required"));
    password.setError(password.input.value ? null : t("field.required"));
    if (!name || !password.input.value) return;
    void busy(submit, problems, async () => {
      const answer = await api<Tokens | Challenge>("POST", "/auth/login", {
        body: { username: name, password: password.input.value },
        anonymous: true,
      });
      if ("challenge" in answer) newPasswordForm(view, name, answer.session, next);
      else await enter(answer, next);
    });
  });
  replace(
    view,
    h(
      "div",
      { class: "login-layout" },
      h("section", { class: "panel login-panel", "aria-labelledby": "login-title" }, h("h1", { id: "login-title" }, t("login.title")), h("p", { class: "muted" }, t("login.intro")), form),
      h(
        "aside",
        { class: "panel public-services", "aria-labelledby": "public-title" },
        h("h2", { id: "public-title" }, t("login.publicTitle")),
        h("ul", { class: "link-list" }, h("li", {}, h("a", { href: href("/track") }, t("nav.track"))), h("li", {}, h("a", { href: href("/verify") }, t("nav.verify")))),
      ),
    ),
  );
  if (query.get("expired")) problems.append(h("div", { class: "alert alert-warning", role: "alert" }, t("login.expired")));
  username.input.focus();
}

function newPasswordForm(view: HTMLElement, username: string, challengeSession: string, next: string | null): void {
  const chosen = textField({ label: t("login.newPassword"), name: "new-password", type: "password", required: true, autocomplete: "new-password", hint: t("login.passwordRules"), dir: "ltr" });
  const confirm = textField({ label: t("login.confirmPassword"), name: "confirm-password", type: "password", required: true, autocomplete: "new-password", dir: "ltr" });
  const problems = h("div", { "aria-live": "polite" });
  const submit = h("button", { type: "submit", class: "primary" }, t("login.changeSubmit"));
  const form = h("form", { class: "stack", novalidate: true }, problems, chosen.wrapper, confirm.wrapper, submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = chosen.input.value;
    chosen.setError(passwordProblems(value) ? t("login.passwordWeak") : null);
    confirm.setError(value !== confirm.input.value ? t("login.passwordsDiffer") : null);
    if (passwordProblems(value) || value !== confirm.input.value) return;
    void busy(submit, problems, async () => {
      const tokens = await api<Tokens>("POST", "/auth/password", {
        body: { username, session: challengeSession, new_password: value },
        anonymous: true,
      });
      await enter(tokens, next);
    });
  });
  replace(
    view,
    h(
      "section",
      { class: "panel login-panel narrow", "aria-labelledby": "new-password-title" },
      h("h1", { id: "new-password-title" }, t("login.newPasswordTitle")),
      h("p", {}, t("login.newPasswordIntro")),
      form,
    ),
  );
  chosen.input.focus();
}
