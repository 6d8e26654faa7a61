/**
 * Register a case (clerks, at the courts they serve; admins anywhere):
 * `POST /cases` with the court, the case type, the subject and the parties.
 * Messages stand next to the fields: checked here first, then as the API
 * names them (`details[].field` such as `parties.0.national_id`).
 */

import { api, ApiError } from "../api";
import { h, replace, fileNumber, uniqueId } from "../dom";
import { loadCourts, type CaseFile, type Court } from "../domain";
import { pick, t } from "../i18n";
import { href } from "../router";
import { errorAlert, loading, notice, selectField, textArea, textField, type Field } from "../ui";
import { checkText, NATIONAL_ID, placeProblems } from "../validation";
import { courtChoices, courtsOf } from "./cases";

const PARTY_ROLES = ["plaintiff", "defendant", "intervener", "appellant", "respondent"];

export interface PartyForm {
  fieldset: HTMLFieldSetElement;
  role: Field<HTMLSelectElement>;
  kind: Field<HTMLSelectElement>;
  name: Field<HTMLInputElement>;
  nameLatin: Field<HTMLInputElement>;
  nationalId: Field<HTMLInputElement>;
  tradeRegister: Field<HTMLInputElement>;
  withLawyer: HTMLInputElement;
  bar: Field<HTMLInputElement>;
  roll: Field<HTMLInputElement>;
}

export async function registerScreen(view: HTMLElement): Promise<void> {
  replace(view, h("h1", {}, t("register.title")), loading());
  const courts = courtsOf(await loadCourts());
  const court = selectField({ label: t("cases.court"), name: "court_code", required: true, choices: courtChoices(courts), placeholder: t("register.chooseCourt"), value: courts.length === 1 ? courts[0]?.code : "" });
  const type = selectField({ label: t("cases.type"), name: "case_type_code", required: true, choices: [], placeholder: t("register.chooseType") });
  const fillTypes = (): void => fillCaseTypes(type.input, courts, court.input.value);
  court.input.addEventListener("change", fillTypes);
  fillTypes();
  const subject = textArea({ label: t("cases.subject"), name: "subject", required: true, rows: 2 });
  const parties: PartyForm[] = [];
  const partyList = h("div", { class: "parties" });
  const addParty = (): void => {
    const party = partyForm(parties.length + 1, () => {
      parties.splice(parties.indexOf(party), 1);
      party.fieldset.remove();
      renumber(parties);
    });
    parties.push(party);
    partyList.append(party.fieldset);
    renumber(parties);
  };
  addParty();
  const summary = h("div", { "aria-live": "assertive" });
  const submit = h("button", { type: "submit", class: "primary" }, t("register.submit"));
  const form = h(
    "form",
    { class: "stack register-form", novalidate: true, "aria-labelledby": "register-title" },
    summary,
    h("fieldset", { class: "panel" }, h("legend", {}, t("register.case")), h("div", { class: "grid-2" }, court.wrapper, type.wrapper), subject.wrapper),
    h("fieldset", { class: "panel" }, h("legend", {}, t("register.parties")), partyList, h("button", { type: "button", class: "secondary", onclick: addParty }, t("register.addParty"))),
    h("div", { class: "actions" }, submit),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void send({ form, summary, submit, court, type, subject, parties, view });
  });
  replace(view, h("h1", { id: "register-title" }, t("register.title")), h("p", { class: "muted" }, t("register.intro")), form);
}

function fillCaseTypes(select: HTMLSelectElement, courts: Court[], courtCode: string): void {
  const chosen = courts.find((court) => court.code === courtCode);
  replace(select, h("option", { value: "" }, t("register.chooseType")));
  for (const caseType of chosen?.case_types ?? []) {
    select.append(h("option", { value: caseType.code }, `${caseType.code} — ${pick({ ar: caseType.name_ar, fr: caseType.name_fr })}`));
  }
}

function renumber(parties: PartyForm[]): void {
  parties.forEach((party, index) => {
    const legend = party.fieldset.querySelector("legend");
    if (legend) legend.textContent = t("register.party", { n: index + 1 });
    const remove = party.fieldset.querySelector<HTMLButtonElement>(".remove-party");
    if (remove) remove.hidden = parties.length === 1;
  });
}

export function partyForm(number: number, onRemove: () => void): PartyForm {
  const role = selectField({ label: t("party.role"), name: "role", required: true, choices: PARTY_ROLES.map((value) => ({ value, label: t(`party.${value}` as "party.plaintiff") })) });
  const kind = selectField({ label: t("party.kind"), name: "kind", choices: [{ value: "natural", label: t("party.natural") }, { value: "legal", label: t("party.legal") }] });
  const name = textField({ label: t("party.name"), name: "name", required: true, maxlength: 200, dir: "auto" });
  const nameLatin = textField({ label: t("party.nameLatin"), name: "name_latin", dir: "ltr", maxlength: 200 });
  const nationalId = textField({ label: t("party.nationalId"), name: "national_id", dir: "ltr", hint: t("field.nationalIdHint"), maxlength: 10 });
  const tradeRegister = textField({ label: t("party.tradeRegister"), name: "trade_register", dir: "ltr", maxlength: 40 });
  const lawyerId = uniqueId("lawyer");
  const withLawyer = h("input", { type: "checkbox", id: lawyerId });
  const bar = textField({ label: t("party.bar"), name: "bar", required: true, maxlength: 200, dir: "auto" });
  const roll = textField({ label: t("party.roll"), name: "roll_number", required: true, dir: "ltr", maxlength: 20 });
  const lawyerFields = h("div", { class: "grid-2", hidden: true }, bar.wrapper, roll.wrapper);
  withLawyer.addEventListener("change", () => (lawyerFields.hidden = !withLawyer.checked));
  const showIdentity = (): void => {
    const legal = kind.input.value === "legal";
    nationalId.wrapper.hidden = legal;
    tradeRegister.wrapper.hidden = !legal;
  };
  kind.input.addEventListener("change", showIdentity);
  const fieldset = h(
    "fieldset",
    { class: "party" },
    h("legend", {}, t("register.party", { n: number })),
    h("div", { class: "grid-2" }, role.wrapper, kind.wrapper, name.wrapper, nameLatin.wrapper, nationalId.wrapper, tradeRegister.wrapper),
    h("div", { class: "checkbox" }, withLawyer, h("label", { for: lawyerId }, t("register.withLawyer"))),
    lawyerFields,
    h("button", { type: "button", class: "link-button remove-party", onclick: onRemove }, t("register.removeParty")),
  );
  showIdentity();
  return { fieldset, role, kind, name, nameLatin, nationalId, tradeRegister, withLawyer, bar, roll };
}

type Check = [Field<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>, string | null];

/** The messages of one party's fields (null when fine). */
export function partyChecks(party: PartyForm): Check[] {
  const legal = party.kind.input.value === "legal";
  const cin = party.nationalId.input.value.trim();
  return [
    [party.name, checkText(party.name.input.value, 200)],
    [party.nameLatin, checkText(party.nameLatin.input.value, 200, false)],
    [party.nationalId, !legal && cin && !NATIONAL_ID.test(cin) ? t("field.nationalId") : null],
    [party.bar, party.withLawyer.checked ? checkText(party.bar.input.value, 200) : null],
    [party.roll, party.withLawyer.checked && !/^[0-9A-Za-z-]{1,20}$/.test(party.roll.input.value.trim()) ? t("field.pattern") : null],
  ];
}

interface Submission {
  form: HTMLFormElement;
  summary: HTMLElement;
  submit: HTMLButtonElement;
  court: Field<HTMLSelectElement>;
  type: Field<HTMLSelectElement>;
  subject: Field<HTMLTextAreaElement>;
  parties: PartyForm[];
  view: HTMLElement;
}

/** Check every field here; true when all are fine. Messages go next to the fields. */
function checkForm(s: Submission): boolean {
  const checks: Check[] = [
    [s.court, s.court.input.value ? null : t("field.required")],
    [s.type, s.type.input.value ? null : t("field.required")],
    [s.subject, checkText(s.subject.input.value, 500)],
  ];
  for (const party of s.parties) checks.push(...partyChecks(party));
  for (const [field, message] of checks) field.setError(message);
  const firstBad = checks.find(([, message]) => message !== null);
  firstBad?.[0].input.focus();
  return firstBad === undefined;
}

export function partyBody(party: PartyForm): Record<string, unknown> {
  const legal = party.kind.input.value === "legal";
  const optional = (value: string): string | undefined => value.trim() || undefined;
  return {
    role: party.role.input.value,
    kind: party.kind.input.value,
    name: party.name.input.value.trim(),
    name_latin: optional(party.nameLatin.input.value),
    national_id: legal ? undefined : optional(party.nationalId.input.value)?.toUpperCase(),
    trade_register: legal ? optional(party.tradeRegister.input.value) : undefined,
    lawyers: party.withLawyer.checked ? [{ bar: party.bar.input.value.trim(), roll_number: party.roll.input.value.trim() }] : [],
  };
}

function fieldSetters(s: Submission): Map<string, (message: string) => void> {
  const setters = new Map<string, (message: string) => void>([
    ["court_code", (m) => s.court.setError(m)],
    ["case_type_code", (m) => s.type.setError(m)],
    ["subject", (m) => s.subject.setError(m)],
  ]);
  s.parties.forEach((party, index) => {
    for (const [name, field] of [["role", party.role], ["kind", party.kind], ["name", party.name], ["name_latin", party.nameLatin], ["national_id", party.nationalId], ["trade_register", party.tradeRegister], ["lawyers.0.bar", party.bar], ["lawyers.0.roll_number", party.roll]] as const) {
      setters.set(`parties.${index}.${name}`, (m) => field.setError(m));
    }
    // A rule across the party's fields (a legal person with a CIN) blames the CIN.
    setters.set(`parties.${index}`, () => party.nationalId.setError(t("field.legalNoCin")));
  });
  return setters;
}

async function send(s: Submission): Promise<void> {
  replace(s.summary);
  if (!checkForm(s)) {
    replace(s.summary, notice(t("register.fixErrors"), "warning"));
    return;
  }
  s.submit.disabled = true;
  try {
    const created = await api<CaseFile>("POST", "/cases", {
      body: { court_code: s.court.input.value, case_type_code: s.type.input.value, subject: s.subject.input.value.trim(), parties: s.parties.map(partyBody) },
    });
    showRegistered(s.view, created);
  } catch (error) {
    if (error instanceof ApiError && error.details.length) {
      const unplaced = placeProblems(error.details, fieldSetters(s));
      replace(s.summary, notice(t("register.fixErrors"), "warning"), unplaced.length ? errorAlert(error) : null);
    } else replace(s.summary, errorAlert(error));
    s.summary.scrollIntoView({ block: "nearest" });
  } finally {
    s.submit.disabled = false;
  }
}

function showRegistered(view: HTMLElement, created: CaseFile): void {
  const heading = h("h1", { tabindex: "-1" }, t("register.title"));
  replace(
    view,
    heading,
    h(
      "div",
      { class: "alert alert-success", role: "status", "data-testid": "registered" },
      h("p", {}, t("register.done"), " ", h("strong", {}, fileNumber(created.file_number))),
      h(
        "ul",
        { class: "link-list" },
        h("li", {}, h("a", { href: href(`/cases/${created.id}/details`) }, t("card.title"))),
        h("li", {}, h("a", { href: href(`/cases/${created.id}/documents`), "data-testid": "go-documents" }, t("docs.upload"))),
      ),
    ),
  );
  heading.focus();
}
