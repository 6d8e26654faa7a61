/**
 * What staff do on a file (issue 4 routes): schedule, postpone and close
 * hearings; assign the reporting judge; move the file's status. Every change
 * sends the file's `version`, so a change made meanwhile by someone else is
 * refused (409) and shown, never overwritten.
 */

import { api, ApiError, optional } from "../api";
import { h } from "../dom";
import { STATUSES, type CaseDocument, type CaseFile, type Court, type Hearing, type Party } from "../domain";
import { pick, t, tDynamic } from "../i18n";
import { session } from "../session";
import { busy, errorAlert, openDialog, selectField, textArea, textField, type Field } from "../ui";
import { checkText, parseFileNumber, placeProblems } from "../validation";
import { partyBody, partyChecks, partyForm } from "./register";

type AnyField = Field<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>;

/** Whether the signed-in user works on files (judges, clerks, admins). */
export function isStaff(): boolean {
  const role = session.profile()?.role;
  return role === "ADMIN" || role === "JUDGE" || role === "CLERK";
}

/**
 * A date-time field's value as typed (`2026-12-10T09:00`), or null. Sent
 * without an offset, the API takes it as court time.
 */
function instant(field: Field<HTMLInputElement>): string | null {
  if (!field.input.value) return null;
  const moment = new Date(field.input.value);
  return Number.isNaN(moment.getTime()) ? null : field.input.value;
}

function futureProblem(field: Field<HTMLInputElement>, required: boolean): string | null {
  const value = instant(field);
  if (!value) return required ? t("field.required") : null;
  return new Date(value).getTime() <= Date.now() ? t("actions.future") : null;
}

interface ActionForm {
  title: string;
  fields: Record<string, AnyField>;
  /** Messages by field name (null when fine), checked before sending. */
  check: () => Record<string, string | null>;
  send: () => Promise<unknown>;
}

/** Open a dialog with the form; on success close it and call `done`. */
function actionDialog(form: ActionForm, done: () => void): void {
  const problems = h("div", { "aria-live": "polite" });
  const formId = `action-${Math.random().toString(36).slice(2)}`;
  const submit = h("button", { type: "submit", class: "primary", form: formId }, t("app.save"));
  const element = h("form", { id: formId, class: "stack", novalidate: true }, problems, Object.values(form.fields).map((field) => field.wrapper));
  const dialog = openDialog(form.title, [element], [submit]);
  element.addEventListener("submit", (event) => {
    event.preventDefault();
    const messages = form.check();
    for (const [name, message] of Object.entries(messages)) form.fields[name]?.setError(message);
    if (Object.values(messages).some((message) => message !== null)) return;
    void busy(submit, problems, async () => {
      try {
        await form.send();
        dialog.close();
        done();
      } catch (error) {
        const setters = new Map(Object.entries(form.fields).map(([name, field]) => [name, (message: string) => field.setError(message)]));
        if (error instanceof ApiError && error.details.length && !placeProblems(error.details, setters).length) return;
        throw error;
      }
    });
  });
}

const casePath = (file: CaseFile): string => `/cases/${encodeURIComponent(file.id)}`;

/** Judge picker: the court's active judges when the API lists them, else the username typed. */
async function judgeField(file: CaseFile, required: boolean): Promise<Field<HTMLInputElement | HTMLSelectElement>> {
  const current = file.reporting_judge?.username ?? "";
  const answer = await optional<{ judges: { username: string; full_name: string }[] }>("GET", `/courts/${encodeURIComponent(file.court_code)}/judges`).catch(() => null);
  if (!answer?.judges.length) {
    // No list (an older API) or no active judge at this court: the username.
    const hint = answer ? t("actions.noJudges") : required ? undefined : t("actions.judgeHint");
    return textField({ label: t("actions.judge"), name: "judge", required, dir: "ltr", value: current, ...(hint && { hint }) });
  }
  return selectField({
    label: t("actions.judgeChoice"),
    name: "judge",
    required,
    value: current,
    ...(!required && { placeholder: t("actions.judgeReporting") }),
    choices: answer.judges.map((row) => ({ value: row.username, label: `${row.full_name} (${row.username})` })),
  });
}

export async function scheduleHearing(file: CaseFile, done: () => void): Promise<void> {
  const startsAt = textField({ label: t("actions.startsAt"), name: "starts_at", type: "datetime-local", required: true, dir: "ltr" });
  const room = textField({ label: t("actions.room"), name: "room", required: true, maxlength: 40, dir: "auto" });
  const judge = await judgeField(file, false);
  actionDialog(
    {
      title: t("actions.schedule"),
      fields: { starts_at: startsAt, room, judge },
      check: () => ({ starts_at: futureProblem(startsAt, true), room: checkText(room.input.value, 40), judge: null }),
      send: () =>
        api("POST", `${casePath(file)}/hearings`, {
          body: { version: file.version, starts_at: instant(startsAt), room: room.input.value.trim(), ...(judge.input.value.trim() && { judge: judge.input.value.trim() }) },
        }),
    },
    done,
  );
}

export function postponeHearing(file: CaseFile, hearing: Hearing, done: () => void): void {
  const startsAt = textField({ label: t("actions.startsAt"), name: "starts_at", type: "datetime-local", required: true, dir: "ltr" });
  const reason = textArea({ label: t("actions.reason"), name: "reason", required: true, rows: 2 });
  actionDialog(
    {
      title: `${t("actions.postpone")} — ${hearing.file_number}`,
      fields: { starts_at: startsAt, reason },
      check: () => ({ starts_at: futureProblem(startsAt, true), reason: checkText(reason.input.value, 500) }),
      send: () =>
        api("POST", `${casePath(file)}/hearings/${encodeURIComponent(hearing.id)}/postponement`, {
          body: { version: file.version, starts_at: instant(startsAt), reason: reason.input.value.trim() },
        }),
    },
    done,
  );
}

export function recordOutcome(file: CaseFile, hearing: Hearing, done: () => void): void {
  const outcome = selectField({
    label: t("card.outcome"),
    name: "outcome",
    required: true,
    choices: ["adjourned", "reserved_for_judgment", "struck_off"].map((value) => ({ value, label: tDynamic(`outcome.${value}`, value) })),
  });
  const decision = textArea({ label: t("actions.decision"), name: "decision", rows: 2 });
  const next = textField({ label: t("actions.nextStartsAt"), name: "next_starts_at", type: "datetime-local", dir: "ltr" });
  const adjourned = (): boolean => outcome.input.value === "adjourned";
  const showNext = (): void => {
    next.wrapper.hidden = !adjourned();
  };
  outcome.input.addEventListener("change", showNext);
  showNext();
  actionDialog(
    {
      title: `${t("actions.outcome")} — ${hearing.file_number}`,
      fields: { outcome, decision, next_starts_at: next },
      check: () => ({ outcome: null, decision: checkText(decision.input.value, 500, false), next_starts_at: adjourned() ? futureProblem(next, true) : null }),
      send: () =>
        api("POST", `${casePath(file)}/hearings/${encodeURIComponent(hearing.id)}/outcome`, {
          body: {
            version: file.version,
            outcome: outcome.input.value,
            ...(decision.input.value.trim() && { decision: decision.input.value.trim() }),
            ...(adjourned() && { next_starts_at: instant(next) }),
          },
        }),
    },
    done,
  );
}

function judgeProblem(username: string): string | null {
  if (!username) return t("field.required");
  return /^[a-z0-9._@-]{1,128}$/.test(username) ? null : t("field.pattern");
}

export async function assignJudge(file: CaseFile, done: () => void): Promise<void> {
  const judge = await judgeField(file, true);
  const reason = textArea({ label: t("actions.reason"), name: "reason", rows: 2 });
  actionDialog(
    {
      title: t("actions.assign"),
      fields: { judge, reason },
      check: () => ({ judge: judgeProblem(judge.input.value.trim()), reason: checkText(reason.input.value, 500, false) }),
      send: () =>
        api("POST", `${casePath(file)}/assignment`, {
          body: { version: file.version, judge: judge.input.value.trim(), ...(reason.input.value.trim() && { reason: reason.input.value.trim() }) },
        }),
    },
    done,
  );
}

export function changeStatus(file: CaseFile, done: () => void): void {
  const status = selectField({
    label: t("actions.newStatus"),
    name: "status",
    required: true,
    choices: (file.next_statuses ?? STATUSES.filter((value) => value !== file.status)).map((value) => ({ value, label: tDynamic(`status.${value}`, value) })),
  });
  const decision = textArea({ label: t("actions.decision"), name: "decision", rows: 2 });
  actionDialog(
    {
      title: t("actions.transition"),
      fields: { status, decision },
      check: () => ({ status: null, decision: checkText(decision.input.value, 500, false) }),
      send: () =>
        api("POST", `${casePath(file)}/status`, {
          body: { version: file.version, status: status.input.value, ...(decision.input.value.trim() && { decision: decision.input.value.trim() }) },
        }),
    },
    done,
  );
}

/** May the signed-in user record a judgment (judges and admins)? */
export function mayJudge(): boolean {
  const role = session.profile()?.role;
  return role === "ADMIN" || role === "JUDGE";
}

/** May the signed-in user link files (the registry: clerks and admins)? */
export function mayLink(): boolean {
  const role = session.profile()?.role;
  return role === "ADMIN" || role === "CLERK";
}

/** Record the judgment, pronounced on a day, with its signed document. */
export function recordJudgment(file: CaseFile, signed: CaseDocument[], done: () => void): void {
  const pronounced = textField({ label: t("actions.pronouncedOn"), name: "pronounced_on", type: "date", required: true, dir: "ltr" });
  const operative = textArea({ label: t("card.operativePart"), name: "operative_part", required: true, rows: 4 });
  const document = selectField({
    label: t("actions.judgmentDocument"),
    name: "document_id",
    required: true,
    hint: signed.length ? undefined : t("actions.noSignedDocument"),
    choices: signed.map((row) => ({ value: row.document_id, label: row.filename })),
  });
  actionDialog(
    {
      title: t("actions.judgment"),
      fields: { pronounced_on: pronounced, operative_part: operative, document_id: document },
      check: () => ({
        pronounced_on: pronounced.input.value ? null : t("field.required"),
        operative_part: checkText(operative.input.value, 5000),
        document_id: document.input.value ? null : t("actions.noSignedDocument"),
      }),
      send: () =>
        api("POST", `${casePath(file)}/judgments`, {
          body: { version: file.version, pronounced_on: pronounced.input.value, operative_part: operative.input.value.trim(), document_id: document.input.value },
        }),
    },
    done,
  );
}


/** Link another file (an appeal, a joined or referred file) by court and number. */
export function linkFile(file: CaseFile, courts: Court[], done: () => void): void {
  const kind = selectField({
    label: t("actions.linkKind"),
    name: "kind",
    required: true,
    choices: ["appeal_of", "appealed_by", "joined_with", "referred_from", "referred_to"].map((value) => ({ value, label: tDynamic(`relation.${value}`, value) })),
  });
  const court = selectField({ label: t("cases.court"), name: "court_code", required: true, choices: courts.map((row) => ({ value: row.code, label: pick(row.names, row.code) })), value: file.court_code });
  const number = textField({ label: t("track.number"), name: "number", required: true, dir: "ltr", hint: t("track.numberHint") });
  actionDialog(
    {
      title: t("actions.link"),
      fields: { kind, court_code: court, number },
      check: () => ({ kind: null, court_code: null, number: parseFileNumber(number.input.value, 9) ? null : t("track.numberInvalid") }),
      send: () => {
        const [serial, code, year] = parseFileNumber(number.input.value, 9) ?? ["", "", ""];
        return api("POST", `${casePath(file)}/links`, {
          body: { version: file.version, kind: kind.input.value, court_code: court.input.value, serial: Number(serial), case_type_code: code, year: Number(year) },
        });
      },
    },
    done,
  );
}

/** Join a party (with counsel) to the file: the registration form's party fields. */
export function addParty(file: CaseFile, done: () => void): void {
  const party = partyForm(file.parties.length + 1, () => undefined);
  party.fieldset.querySelector(".remove-party")?.remove();
  const problems = h("div", { "aria-live": "polite" });
  const submit = h("button", { type: "submit", class: "primary", form: "add-party" }, t("app.save"));
  const form = h("form", { id: "add-party", class: "stack", novalidate: true }, problems, party.fieldset);
  const dialog = openDialog(t("actions.addParty"), [form], [submit]);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const checks = partyChecks(party);
    for (const [field, message] of checks) field.setError(message);
    if (checks.some(([, message]) => message !== null)) return;
    void busy(submit, problems, async () => {
      await api("POST", `${casePath(file)}/parties`, { body: { version: file.version, party: partyBody(party) } });
      dialog.close();
      done();
    });
  });
}

/** Remove a party from the file, after confirmation. */
export async function removeParty(file: CaseFile, party: Party, done: () => void): Promise<void> {
  if (!party.id || !window.confirm(t("actions.confirmRemoveParty", { name: party.name }))) return;
  try {
    await api("DELETE", `${casePath(file)}/parties/${encodeURIComponent(party.id)}?version=${file.version}`);
    done();
  } catch (error) {
    openDialog(t("error.title"), [errorAlert(error)]);
  }
}
