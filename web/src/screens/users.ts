/**
 * User administration (admins): list with filters, create, reset password,
 * change role, deactivate and reactivate (`/users` routes). A temporary
 * password is shown once, in a dialog, and never kept.
 */

import { api, ApiError } from "../api";
import { h, replace, ltr } from "../dom";
import { loadCourts, type Court } from "../domain";
import { formatDate, t } from "../i18n";
import { go, type Params } from "../router";
import type { Role } from "../session";
import { busy, errorAlert, loading, openDialog, selectField, table, textField, type Field } from "../ui";
import { checkText, NATIONAL_ID, placeProblems } from "../validation";
import { courtChoices } from "./cases";

const ROLES: Role[] = ["ADMIN", "JUDGE", "CLERK", "LAWYER", "CITIZEN"];

interface UserRow {
  username: string;
  role: Role;
  full_name: string;
  active: boolean;
  courts: string[];
  bar: string | null;
  roll_number: string | null;
  last_login_at: string | null;
}

const roleChoices = (): { value: string; label: string }[] => ROLES.map((role) => ({ value: role, label: t(`role.${role}`) }));

export async function usersScreen(view: HTMLElement, _params: Params, query: URLSearchParams): Promise<void> {
  replace(view, h("h1", {}, t("users.title")), loading());
  const courts = await loadCourts();
  const role = query.get("role") ?? "";
  const search = query.get("q") ?? "";
  const list = h("div", { "aria-live": "polite" }, loading());
  const createButton = h("button", { type: "button", class: "primary", onclick: () => createDialog(courts) }, t("users.create"));
  replace(view, h("div", { class: "title-row" }, h("h1", {}, t("users.title")), createButton), filterForm(role, search), list);
  try {
    const answer = await api<{ users: UserRow[] }>("GET", `/users?${new URLSearchParams({ ...(role && { role }), ...(search && { q: search }) }).toString()}`);
    replace(list, usersTable(answer.users, courts));
  } catch (error) {
    replace(list, errorAlert(error));
  }
}

function filterForm(role: string, search: string): HTMLElement {
  const roleField = selectField({ label: t("users.filterRole"), name: "role", choices: roleChoices(), placeholder: t("cases.any"), value: role });
  const searchField = textField({ label: t("users.q"), name: "q", type: "search", value: search });
  const form = h("form", { class: "filters panel", role: "search" }, roleField.wrapper, searchField.wrapper, h("div", { class: "filter-actions" }, h("button", { type: "submit", class: "secondary" }, t("app.search"))));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    if (roleField.input.value) params.set("role", roleField.input.value);
    if (searchField.input.value.trim()) params.set("q", searchField.input.value.trim());
    go(`/users?${params.toString()}`);
  });
  return form;
}

function usersTable(users: UserRow[], courts: Court[]): HTMLElement {
  return table(
    t("users.title"),
    [t("users.username"), t("users.fullName"), t("users.role"), t("users.courts"), t("users.state"), t("users.lastLogin"), t("users.actions")],
    users.map((user) => [
      ltr(user.username),
      user.full_name,
      t(`role.${user.role}`),
      user.courts.length ? ltr(user.courts.join(", ")) : t("app.none"),
      h("span", { class: user.active ? "badge badge-ok" : "badge badge-bad" }, user.active ? t("users.active") : t("users.inactive")),
      formatDate(user.last_login_at, true),
      actions(user, courts),
    ]),
    { captionHidden: true },
  );
}

function actions(user: UserRow, courts: Court[]): HTMLElement {
  const label = (key: "users.reset" | "users.changeRole" | "users.deactivate" | "users.reactivate"): string => `${t(key)} — ${user.username}`;
  return h(
    "div",
    { class: "row-actions" },
    h("button", { type: "button", class: "small secondary", "aria-label": label("users.reset"), onclick: () => resetPassword(user) }, t("users.reset")),
    h("button", { type: "button", class: "small secondary", "aria-label": label("users.changeRole"), onclick: () => roleDialog(user, courts) }, t("users.changeRole")),
    user.active
      ? h("button", { type: "button", class: "small danger", "aria-label": label("users.deactivate"), onclick: () => void changeStanding(user, "deactivate") }, t("users.deactivate"))
      : h("button", { type: "button", class: "small secondary", "aria-label": label("users.reactivate"), onclick: () => void changeStanding(user, "reactivate") }, t("users.reactivate")),
  );
}

function reload(): void {
  go(location.hash.replace(/^#/, "") || "/users");
}

async function changeStanding(user: UserRow, action: "deactivate" | "reactivate"): Promise<void> {
  if (action === "deactivate" && !window.confirm(t("users.confirmDeactivate", { name: user.full_name }))) return;
  try {
    await api("POST", `/users/${encodeURIComponent(user.username)}/${action}`);
    reload();
  } catch (error) {
    openDialog(t("error.title"), [errorAlert(error)]);
  }
}

function showTemporary(username: string, password: string): void {
  openDialog(t("users.temporary", { name: username }), [
    h("p", {}, h("code", { class: "secret", dir: "ltr", "data-testid": "temporary-password" }, password)),
    h("p", { class: "muted" }, t("users.temporaryNote")),
  ]).addEventListener("close", reload);
}

async function resetPassword(user: UserRow): Promise<void> {
  if (!window.confirm(t("users.confirmReset", { name: user.full_name }))) return;
  try {
    const answer = await api<{ temporary_password: string }>("POST", `/users/${encodeURIComponent(user.username)}/password-reset`);
    showTemporary(user.username, answer.temporary_password);
  } catch (error) {
    openDialog(t("error.title"), [errorAlert(error)]);
  }
}

interface GrantFields {
  role: Field<HTMLSelectElement>;
  courts: Field<HTMLSelectElement>;
  bar: Field<HTMLInputElement>;
  roll: Field<HTMLInputElement>;
  nationalId: Field<HTMLInputElement>;
  wrappers: HTMLElement;
}

/** Role and what it needs: courts (judge, clerk), bar and roll (lawyer), CIN (citizen). */
function grantFields(courts: Court[], initial?: UserRow): GrantFields {
  const role = selectField({ label: t("users.role"), name: "role", required: true, choices: roleChoices(), value: initial?.role ?? "CLERK" });
  const courtField = selectField({ label: t("users.courts"), name: "courts", multiple: true, required: true, hint: t("users.courtsHint"), choices: courtChoices(courts) });
  for (const option of courtField.input.options) option.selected = initial?.courts.includes(option.value) ?? false;
  courtField.input.size = 6;
  const bar = textField({ label: t("party.bar"), name: "bar", required: true, value: initial?.bar ?? "" });
  const roll = textField({ label: t("party.roll"), name: "roll_number", required: true, dir: "ltr", value: initial?.roll_number ?? "" });
  const nationalId = textField({ label: t("party.nationalId"), name: "national_id", required: true, dir: "ltr", hint: t("field.nationalIdHint") });
  const show = (): void => {
    const value = role.input.value;
    courtField.wrapper.hidden = value !== "JUDGE" && value !== "CLERK";
    bar.wrapper.hidden = roll.wrapper.hidden = value !== "LAWYER";
    nationalId.wrapper.hidden = value !== "CITIZEN";
  };
  role.input.addEventListener("change", show);
  show();
  const wrappers = h("div", { class: "stack" }, role.wrapper, courtField.wrapper, bar.wrapper, roll.wrapper, nationalId.wrapper);
  return { role, courts: courtField, bar, roll, nationalId, wrappers };
}

function grantBody(fields: GrantFields): Record<string, unknown> {
  const role = fields.role.input.value;
  const body: Record<string, unknown> = { role };
  if (role === "JUDGE" || role === "CLERK") body.courts = [...fields.courts.input.selectedOptions].map((option) => option.value);
  if (role === "LAWYER") Object.assign(body, { bar: fields.bar.input.value.trim(), roll_number: fields.roll.input.value.trim() });
  if (role === "CITIZEN") body.national_id = fields.nationalId.input.value.trim().toUpperCase();
  return body;
}

function checkGrant(fields: GrantFields): boolean {
  const role = fields.role.input.value;
  const checks: [Field<HTMLInputElement | HTMLSelectElement>, string | null][] = [
    [fields.courts, (role === "JUDGE" || role === "CLERK") && !fields.courts.input.selectedOptions.length ? t("field.required") : null],
    [fields.bar, role === "LAWYER" ? checkText(fields.bar.input.value, 200) : null],
    [fields.roll, role === "LAWYER" && !/^[0-9A-Za-z-]{1,20}$/.test(fields.roll.input.value.trim()) ? t("field.pattern") : null],
    [fields.nationalId, role === "CITIZEN" && !NATIONAL_ID.test(fields.nationalId.input.value.trim()) ? t("field.nationalId") : null],
  ];
  for (const [field, message] of checks) field.setError(message);
  return checks.every(([, message]) => message === null);
}

function grantSetters(fields: GrantFields): Map<string, (message: string) => void> {
  return new Map([
    ["role", (m: string) => fields.role.setError(m)],
    ["courts", (m: string) => fields.courts.setError(m)],
    ["bar", (m: string) => fields.bar.setError(m)],
    ["roll_number", (m: string) => fields.roll.setError(m)],
    ["national_id", (m: string) => fields.nationalId.setError(m)],
  ]);
}

function createDialog(courts: Court[]): void {
  const username = textField({ label: t("users.username"), name: "username", required: true, dir: "ltr", hint: t("field.username") });
  const fullName = textField({ label: t("users.fullName"), name: "full_name", required: true, dir: "auto" });
  const email = textField({ label: t("users.email"), name: "email", type: "email", dir: "ltr" });
  const grant = grantFields(courts);
  const problems = h("div", { "aria-live": "polite" });
  const submit = h("button", { type: "submit", class: "primary", form: "create-user" }, t("users.create"));
  const form = h("form", { id: "create-user", class: "stack", novalidate: true }, problems, username.wrapper, fullName.wrapper, email.wrapper, grant.wrappers);
  const dialog = openDialog(t("users.create"), [form], [submit]);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const usernameOk = /^[a-z0-9][a-z0-9._-]{2,63}$/.test(username.input.value.trim().toLowerCase());
    username.setError(usernameOk ? null : t("field.username"));
    fullName.setError(checkText(fullName.input.value, 200));
    email.setError(email.input.value && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email.input.value) ? t("field.email") : null);
    if (!checkGrant(grant) || !usernameOk || fullName.input.getAttribute("aria-invalid") || email.input.getAttribute("aria-invalid")) return;
    const body = { username: username.input.value.trim().toLowerCase(), full_name: fullName.input.value.trim(), ...(email.input.value && { email: email.input.value.trim() }), ...grantBody(grant) };
    void busy(submit, problems, async () => {
      try {
        const answer = await api<{ user: UserRow; temporary_password: string }>("POST", "/users", { body });
        dialog.close();
        showTemporary(answer.user.username, answer.temporary_password);
      } catch (error) {
        const setters = grantSetters(grant);
        setters.set("username", (m) => username.setError(m));
        setters.set("full_name", (m) => fullName.setError(m));
        setters.set("email", (m) => email.setError(m));
        if (error instanceof ApiError && error.details.length && !placeProblems(error.details, setters).length) return;
        throw error;
      }
    });
  });
}

function roleDialog(user: UserRow, courts: Court[]): void {
  const grant = grantFields(courts, user);
  const problems = h("div", { "aria-live": "polite" });
  const submit = h("button", { type: "submit", class: "primary", form: "set-role" }, t("app.save"));
  const form = h("form", { id: "set-role", class: "stack", novalidate: true }, problems, h("p", {}, ltr(user.username), " — ", user.full_name), grant.wrappers);
  const dialog = openDialog(t("users.changeRole"), [form], [submit]);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!checkGrant(grant)) return;
    void busy(submit, problems, async () => {
      try {
        await api("PUT", `/users/${encodeURIComponent(user.username)}/role`, { body: grantBody(grant) });
        dialog.close();
        reload();
      } catch (error) {
        if (error instanceof ApiError && error.details.length && !placeProblems(error.details, grantSetters(grant)).length) return;
        throw error;
      }
    });
  });
}
