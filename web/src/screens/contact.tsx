// Advocates: record a crisis contact. Every save goes to the outbox in IndexedDB first, sealed
// (../outbox.ts), and is sent with the contact's id and the save's own Idempotency-Key
// (PUT /v1/contacts/{id}), so a contact recorded without signal is sent once the phone is back
// online and a replay changes nothing. The outbox line says why something is not sent yet and
// when the next try is; a contact the server refuses shows each problem at its field.

import { useEffect, useState } from "preact/hooks";
import { label, uuid, type Schema } from "../api";
import { inAbout } from "../backoff";
import { useFieldErrors, type Problems } from "../fielderrors";
import { NOT_SENT, currentRetry, enqueue, lastResult, mine, onOutboxChange, sendNow, useOutbox } from "../outbox";
import { DASH_QUESTIONS, DASH_VERSION } from "./instruments";

type Contact = Schema<"Contact">;
type Answer = Schema<"Answer">;
const SETTINGS: Schema<"Setting">[] = ["on_scene", "hospital", "phone", "court", "office", "other"];
const INCIDENTS = ["domestic_violence", "sexual_assault", "stalking", "homicide", "assault", "other"];
/** Short labels only (the instrument is licensed; agencies load the full wording). */
export const LAP_QUESTIONS = [
  "Used or threatened with a weapon?",
  "Threatened to kill you or your children?",
  "Do you think they might try to kill you?",
  "Has or can easily get a gun?",
  "Ever tried to choke or strangle you?",
  "Violently or constantly jealous, controls daily activities?",
  "Left or separated after living together or being married?",
  "Unemployed?",
  "Ever tried to kill themselves?",
  "You have a child they know is not theirs?",
  "Follows or spies on you, or leaves threatening messages?",
];

/** "N waiting to be sent" and, while they cannot be, why and when the next try is. */
function OutboxLine() {
  const { items, retry, sending } = useOutbox();
  if (items.length === 0) {
    return (
      <p class="muted" data-test="outbox">
        Everything is sent.
      </p>
    );
  }
  const waiting = items.some((q) => !q.error);
  let state = "";
  if (waiting && sending) state = " · sending…";
  else if (waiting && retry) state = ` · not sent yet: ${NOT_SENT[retry.reason]} · next try in ${inAbout(retry.at - Date.now())}`;
  return (
    <div class="outbox">
      <p class="muted" data-test="outbox" id="outbox-line">
        {`${items.length} waiting to be sent`}
        {items.some((q) => q.error) && " (some need fixing)"}
        {state}
      </p>
      {waiting && (
        <button type="button" onClick={() => void sendNow()} aria-describedby="outbox-line">
          Try now
        </button>
      )}
    </div>
  );
}

export function ContactForm() {
  const [id, setId] = useState(uuid());
  const [personId, setPersonId] = useState(uuid());
  // One id per screening per form: saving again must not record it twice.
  const [screeningId, setScreeningId] = useState(uuid());
  const [dashId, setDashId] = useState(uuid());
  const [answers, setAnswers] = useState<Answer[]>(Array(11).fill("not_answered"));
  const [dashAnswers, setDashAnswers] = useState<Answer[]>(Array(DASH_QUESTIONS.length).fill("not_answered"));
  const [lap, setLap] = useState(false);
  const [dash, setDash] = useState(false);
  const [status, setStatus] = useState("");
  const [result, setResult] = useState<Contact | null>(null);

  // The screenings go in this order, so the server's pointers name them by these places.
  const lapAt = lap ? "/screenings/0/screening" : null;
  const dashAt = dash ? `/screenings/${lap ? 1 : 0}/screening` : null;
  const fe = useFieldErrors([
    "/person/pseudonym",
    "/person/name",
    "/person/phone",
    "/setting",
    "/incident_type",
    "/needs",
    "/notes",
    ...(lapAt ? [`${lapAt}/answers`, `${lapAt}/screen_in_by_belief`, `${lapAt}/no_alert_reason`] : []),
    ...(dashAt
      ? [`${dashAt}/answers`, `${dashAt}/professional_judgement`, `${dashAt}/professional_judgement/reason`, `${dashAt}/no_alert_reason`]
      : []),
  ]);

  useEffect(
    () =>
      // The result of the last save, once the server has scored it.
      onOutboxChange(() => {
        const r = lastResult(id);
        if (r) setResult(r);
      }),
    [id],
  );

  async function save(e: Event) {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const s = (k: string) => String(f.get(k) ?? "").trim();
    const screenings: Schema<"ScreeningSubmission">[] = [];
    const body: Schema<"ContactInput"> = {
      occurred_at: new Date().toISOString(),
      setting: s("setting") as Schema<"Setting">,
      incident_type: s("incident_type"),
      person: { id: personId, pseudonym: s("pseudonym"), name: s("name") || null, phone: s("phone") || null },
      needs: needCodes(s("needs")),
      notes: s("notes") || null,
      status: "open",
      screenings,
    };
    // What the phone can tell at once: the form is not queued with these.
    const found: Problems = {};
    if (!body.person.pseudonym) found["/person/pseudonym"] = "Give a pseudonym: it is how this contact shows in lists.";
    if (dashAt && s("dash_judgement") && !s("dash_judgement_reason")) {
      found[`${dashAt}/professional_judgement/reason`] = "Say why your judgement raises the level.";
    }
    fe.show(found);
    if (Object.keys(found).length) {
      setStatus("");
      return;
    }
    if (lap) {
      screenings.push({
        id: screeningId,
        screening: {
          instrument: "lap",
          answers,
          screen_in_by_belief: s("belief") || null,
          no_alert_reason: s("no_alert") || null,
        },
      });
    }
    if (dash) {
      // Judgement may raise the level the answers give, never lower it (the server enforces).
      const level = s("dash_judgement") as Schema<"RiskLevel"> | "";
      screenings.push({
        id: dashId,
        screening: {
          instrument: "dash",
          answers: dashAnswers,
          professional_judgement: level ? { level, reason: s("dash_judgement_reason") } : null,
          no_alert_reason: s("dash_no_alert") || null,
        },
      });
    }
    const refused = await enqueue(id, body);
    if (refused) {
      setStatus(refused);
      return;
    }
    setStatus(navigator.onLine ? "Sending…" : "Saved on this phone. It will be sent when you are back online.");
    await sendNow();
    const still = (await mine()).find((q) => q.id === id);
    if (!still) {
      setStatus("Sent.");
    } else if (still.error) {
      // Refused by the server: each problem at its field; saving again replaces it.
      const atFields = still.problems?.length ? fe.fromError(still.problems) : false;
      setStatus(atFields ? "" : `Not accepted: ${still.error}`);
    } else if (currentRetry() && currentRetry()!.reason !== "offline") {
      setStatus("Saved on this phone. It will be sent as soon as the server can be reached.");
    } else {
      setStatus("Saved on this phone. It will be sent when you are back online.");
    }
  }

  function next() {
    (document.getElementById("contact-form") as HTMLFormElement)?.reset();
    setId(uuid());
    setPersonId(uuid());
    setScreeningId(uuid());
    setDashId(uuid());
    setAnswers(Array(11).fill("not_answered"));
    setDashAnswers(Array(DASH_QUESTIONS.length).fill("not_answered"));
    setLap(false);
    setDash(false);
    setStatus("");
    setResult(null);
    fe.clear();
  }

  const scored = (sid: string) => result?.screenings.find((x) => x.id === sid)?.result;
  const screening = lap ? scored(screeningId) : undefined;
  const dashResult = dash ? scored(dashId) : undefined;
  return (
    <section>
      <h1>Crisis contact</h1>
      <OutboxLine />
      <form id="contact-form" class="card" onSubmit={save} noValidate ref={fe.form}>
        <label>
          Pseudonym (shown in lists)
          <input name="pseudonym" required maxLength={100} autocomplete="off" {...fe.field("/person/pseudonym")} />
          {fe.message("/person/pseudonym")}
        </label>
        <label>
          Name (sealed)
          <input name="name" autocomplete="off" {...fe.field("/person/name")} />
          {fe.message("/person/name")}
        </label>
        <label>
          Safe phone (sealed)
          <input name="phone" type="tel" autocomplete="off" {...fe.field("/person/phone")} />
          {fe.message("/person/phone")}
        </label>
        <label>
          Setting
          <select name="setting" {...fe.field("/setting")}>
            {SETTINGS.map((k) => (
              <option value={k}>{label(k)}</option>
            ))}
          </select>
          {fe.message("/setting")}
        </label>
        <label>
          Incident
          <select name="incident_type" {...fe.field("/incident_type")}>
            {INCIDENTS.map((k) => (
              <option value={k}>{label(k)}</option>
            ))}
          </select>
          {fe.message("/incident_type")}
        </label>
        <label>
          Needs (comma-separated, e.g. shelter, legal help)
          <input name="needs" autocomplete="off" {...fe.field("/needs")} />
          {fe.message("/needs")}
        </label>
        <label>
          Notes
          <textarea name="notes" rows={3} {...fe.field("/notes")} />
          {fe.message("/notes")}
        </label>
        <label class="check">
          <input type="checkbox" checked={lap} onChange={(e) => setLap((e.target as HTMLInputElement).checked)} /> Lethality screen (LAP)
        </label>
        {lap && (
          <fieldset class="lap">
            <legend>Lethality screen</legend>
            {lapAt && fe.message(`${lapAt}/answers`)}
            <Questions name="lap" questions={LAP_QUESTIONS} answers={answers} onChange={setAnswers} />
            <label>
              Screen in by belief (reason)
              <input name="belief" autocomplete="off" {...(lapAt ? fe.field(`${lapAt}/screen_in_by_belief`) : {})} />
              {lapAt && fe.message(`${lapAt}/screen_in_by_belief`)}
            </label>
            <label>
              Why no high-risk alert is needed (optional)
              <input name="no_alert" autocomplete="off" {...(lapAt ? fe.field(`${lapAt}/no_alert_reason`) : {})} />
              {lapAt && fe.message(`${lapAt}/no_alert_reason`)}
            </label>
          </fieldset>
        )}
        <label class="check">
          <input type="checkbox" checked={dash} onChange={(e) => setDash((e.target as HTMLInputElement).checked)} /> DASH risk checklist
        </label>
        {dash && (
          <fieldset class="lap dash">
            <legend>DASH risk checklist</legend>
            <p class="hint">
              24 questions. 14 or more "yes" is high risk (MARAC referral), 10 to 13 medium. "No answer" never counts as yes.
            </p>
            {dashAt && fe.message(`${dashAt}/answers`)}
            <Questions name="dash" questions={DASH_QUESTIONS.map(sentence)} answers={dashAnswers} onChange={setDashAnswers} />
            <label>
              Professional judgement raises the level to
              <select name="dash_judgement" {...(dashAt ? fe.field(`${dashAt}/professional_judgement`) : {})}>
                <option value="">(as scored)</option>
                <option value="medium">medium</option>
                <option value="high">high</option>
              </select>
              {dashAt && fe.message(`${dashAt}/professional_judgement`)}
            </label>
            <label>
              Reason for the judgement
              <input name="dash_judgement_reason" autocomplete="off" {...(dashAt ? fe.field(`${dashAt}/professional_judgement/reason`) : {})} />
              {dashAt && fe.message(`${dashAt}/professional_judgement/reason`)}
            </label>
            <label>
              Why no high-risk alert is needed (optional)
              <input name="dash_no_alert" autocomplete="off" {...(dashAt ? fe.field(`${dashAt}/no_alert_reason`) : {})} />
              {dashAt && fe.message(`${dashAt}/no_alert_reason`)}
            </label>
          </fieldset>
        )}
        <div class="actions">
          <button class="primary">Save contact</button>
          <button type="button" onClick={next}>
            New contact
          </button>
        </div>
        {fe.summary()}
        {status && <p role="status">{status}</p>}
        {screening && (
          <p class={screening.high_risk ? "error" : "ok"} data-test="lap-result">
            LAP: {lapWhy(screening, answers)}
            <AlertLine r={screening} />
          </p>
        )}
        {dashResult && (
          <p class={dashResult.high_risk ? "error" : "ok"} data-test="dash-result">
            DASH: <strong data-test="dash-level">{dashResult.risk_level}</strong>
            {dashResult.risk_level !== dashResult.scored_level && ` by professional judgement (the answers give ${dashResult.scored_level})`} (
            {dashResult.yes_count} yes of 24)
            <AlertLine r={dashResult} />
            {dashResult.instrument_version !== DASH_VERSION && ` Scored by ${dashResult.instrument_version}.`}
          </p>
        )}
      </form>
    </section>
  );
}

/** Needs as the server keeps them, codes: "Shelter, legal help" → ["shelter", "legal_help"]. */
export function needCodes(text: string): string[] {
  const codes = text
    .split(",")
    .map((x) =>
      x
        .trim()
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "_")
        .replace(/^_+|_+$/g, "")
        .slice(0, 50),
    )
    .filter(Boolean);
  return [...new Set(codes)];
}

const sentence = (q: string) => `${q[0].toUpperCase()}${q.slice(1)}?`;

/** The LAP's outcome as the server scored it, and why, in the protocol's words: a "yes" to
 *  any of questions 1–3 screens in; otherwise 4 or more "yes" of questions 4–11 do. */
function lapWhy(r: Schema<"ScreeningResult">, answers: Answer[]): string {
  const first = answers
    .slice(0, 3)
    .map((a, i) => (a === "yes" ? i + 1 : 0))
    .filter(Boolean);
  const counted = `${r.yes_count} "yes" of questions 4–11, where 4 or more screen in`;
  switch (r.lap_outcome) {
    case "screened_in_protocol":
      return first.length
        ? `screened in by the protocol: "yes" to question ${first.join(" and ")} (any of questions 1–3 screens in)`
        : `screened in by the protocol: ${counted}`;
    case "screened_in_belief":
      return `screened in by your belief (${counted})`;
    default:
      return `not screened in: no "yes" to questions 1–3, and ${counted}`;
  }
}

/** What a high result means for the coordinator, as the server decided. */
function AlertLine({ r }: { r: { high_risk: boolean; alert_required: boolean } }) {
  if (r.alert_required) return <>. A high-risk alert goes to the coordinator: follow it under My alerts.</>;
  if (r.high_risk) return <>. No alert: your reason is recorded.</>;
  return <>.</>;
}

/** Yes / no / no answer per question, in the instrument's order. */
function Questions(props: { name: string; questions: string[]; answers: Answer[]; onChange: (a: Answer[]) => void }) {
  return (
    <>
      {props.questions.map((q, i) => (
        <div class="question" key={i} role="radiogroup" aria-label={q}>
          <span>
            {i + 1}. {q}
          </span>
          {(["yes", "no", "not_answered"] as const).map((a) => (
            <label class="check">
              <input
                type="radio"
                name={`${props.name}${i}`}
                checked={props.answers[i] === a}
                onChange={() => props.onChange(props.answers.map((x, j) => (j === i ? a : x)))}
              />{" "}
              {a === "not_answered" ? "no answer" : a}
            </label>
          ))}
        </div>
      ))}
    </>
  );
}
