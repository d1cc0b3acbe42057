// Advocates: record a crisis contact. Every save goes to the outbox in IndexedDB first, sealed
// (vault.ts), and is sent with the contact's id and the save's own Idempotency-Key
// (PUT /v1/contacts/{id}), so a contact recorded without signal is sent once the phone is back
// online and a replay changes nothing. Only the server's own refusal (a 4xx problem) stops an
// item; any other failure is tried again with backoff (backoff.ts), and the outbox line says
// why it is not sent yet and when the next try is.

import { useEffect, useState } from "preact/hooks";
import { Problem, call, errorText, label, uuid, type Schema } from "../api";
import { outboxAll, outboxDelete, outboxPut, vaultGet, vaultSet, type Queued } from "../idb";
import { freshSession, loadSession } from "../session";
import { hasDeviceKey, newVault, open, seal, unlock, type Vault } from "../vault";
import { inAbout, parseRetryAfter, retryDelay } from "../backoff";
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

type Listener = () => void;
const listeners = new Set<Listener>();

/** The associated data a queued item is sealed with: it cannot be moved to another item. */
const aad = (q: { id: string; key: string }) => `contact ${q.id} ${q.key}`;

/** Makes the user's outbox vault once the device key is in memory (after sign-in or a
 *  refresh). A vault the key does not open (the server's key changed) is replaced unless
 *  contacts sealed to it are still waiting. */
export async function ensureVault(user: string): Promise<void> {
  if (!hasDeviceKey()) return;
  let v = await vaultGet(user);
  if (v) {
    try {
      await unlock(v);
    } catch {
      if ((await outboxAll()).some((q) => q.user === user)) return;
      v = undefined;
    }
  }
  if (!v) {
    v = await newVault();
    await vaultSet(user, v);
  }
  await sealLegacy(user, v);
}

/** Items an earlier version of the app queued in plaintext: sealed now, for whoever signs in
 *  first (they were sent as that user before too). */
async function sealLegacy(user: string, v: Vault): Promise<void> {
  for (const q of await outboxAll()) {
    const old = q as Queued & { body?: unknown };
    if (old.sealed || old.body === undefined) continue;
    const item = { id: old.id, key: old.key ?? uuid(), user };
    await outboxPut({ ...item, sealed: await seal(v, old.body, aad(item)), queuedAt: old.queuedAt, error: old.error });
  }
}

/** Seals a save of contact `id` into the outbox; the text of what went wrong, if anything. */
async function enqueue(id: string, body: unknown): Promise<string | null> {
  const s = await loadSession();
  if (!s) return "Signed out.";
  const vault = await vaultGet(s.user.id);
  if (!vault) return "Not saved: this phone cannot keep contacts until you have been online once since signing in.";
  const item = { id, key: uuid(), user: s.user.id };
  await outboxPut({ ...item, sealed: await seal(vault, body, aad(item)), queuedAt: new Date().toISOString() });
  return null;
}

/** The signed-in user's queued items. */
async function mine(): Promise<Queued[]> {
  const s = await loadSession();
  return s ? (await outboxAll()).filter((q) => q.user === s.user.id) : [];
}

/** Why the outbox could not deliver, in the plain words its line shows (nothing personal). */
export type NotSent = "offline" | "unreachable" | "portal" | "busy";
const NOT_SENT: Record<NotSent, string> = {
  offline: "no connection",
  unreachable: "the server could not be reached",
  portal: "the network showed its own page (sign in to the Wi-Fi?)",
  busy: "the server is busy",
};

/** A failed attempt: the reason, and the server's Retry-After (ms) if its answer had one. */
interface Failure {
  reason: NotSent;
  retryAfterMs: number | null;
}

/** Where the automatic retries stand: in memory only, per app instance (the server is the
 *  source of truth; a reload simply tries at once). */
export interface Retry {
  /** Consecutive failed attempts. */
  failures: number;
  reason: NotSent;
  /** When the next automatic attempt runs (ms since the epoch). */
  at: number;
}
let retry: Retry | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;
let running: Promise<void> | null = null;
let queued: Promise<void> | null = null;

/** A PUT that neither answers nor fails (a network that swallows it) gives up after this, as
 *  a transport failure; the replay is harmless (Idempotency-Key). */
const PUT_TIMEOUT_MS = 30_000;

/** Aborts after `ms` (AbortSignal.timeout is missing before Safari 16). */
function deadline(ms: number): AbortSignal {
  const c = new AbortController();
  setTimeout(() => c.abort(), ms);
  return c.signal;
}

const notify = () => listeners.forEach((l) => l());

/** No connection, or the server not reached although the browser thinks it is online. */
const transport = (): Failure => ({ reason: navigator.onLine ? "unreachable" : "offline", retryAfterMs: null });

/**
 * What an error answer means for the item: `"refused"` only for the server's own problem
 * about the record (a 4xx problem document: kept for the advocate to fix); anything else is
 * a failure to deliver, tried again later.
 */
function judge(e: Problem): Failure | "refused" {
  const retryAfterMs = parseRetryAfter(e.headers?.get("retry-after"), Date.now());
  // Signed out: the app shows the sign-in, the item waits for it.
  if (e.status === 401) return { reason: "unreachable", retryAfterMs };
  // 511 is a captive portal by definition; any other answer not in the server's words is a
  // portal's or proxy's page.
  if (e.status === 511 || !e.fromServer) return { reason: "portal", retryAfterMs };
  if (e.status >= 500 || e.status === 408 || e.status === 425 || e.status === 429) return { reason: "busy", retryAfterMs };
  return "refused";
}

/** Sends what the outbox holds, oldest first; stops at the first failure to deliver, which it
 *  returns (null when nothing transient went wrong). */
async function deliver(): Promise<Failure | null> {
  const items = (await mine()).filter((q) => !q.error).sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
  if (items.length === 0) return null;
  // Opening the queue needs the device key, which a refresh brings (offline: later).
  if (!hasDeviceKey()) await freshSession(true).catch(() => undefined);
  const vault = await vaultGet(items[0].user);
  if (!hasDeviceKey() || !vault) return transport();
  const priv = await unlock(vault).catch(() => null);
  if (!priv) return transport();
  for (const q of items) {
    let body: unknown;
    try {
      body = await open(priv, q.sealed, aad(q));
    } catch {
      await outboxPut({ ...q, error: "This contact could not be read on this phone." });
      continue;
    }
    try {
      const r = await call<unknown>("PUT", `/v1/contacts/${q.id}`, body, { "idempotency-key": q.key }, deadline(PUT_TIMEOUT_MS));
      // Only the server's own answer, the contact, means it is there: a hotel or hospital
      // portal answers 200 with a page of its own. Kept and sent again later, like a lost
      // answer; the server answers that replay 200 by its Idempotency-Key.
      if (!isContact(r.body, q.id)) return { reason: "portal", retryAfterMs: null };
      // Unless a newer save of the same contact replaced it meanwhile.
      if ((await outboxAll()).find((x) => x.id === q.id)?.key === q.key) await outboxDelete(q.id);
      lastResults.set(q.id, r.body);
    } catch (e) {
      if (!(e instanceof Problem)) return transport();
      const j = judge(e);
      if (j !== "refused") return j;
      await outboxPut({ ...q, error: errorText(e) });
    }
  }
  return null;
}

/** Whether an answer is the server's contact `id` (and not, say, a portal's page). */
function isContact(body: unknown, id: string): body is Contact {
  return typeof body === "object" && body !== null && (body as Partial<Contact>).id === id;
}

/** One attempt, then the next automatic one scheduled with backoff, or the backoff cleared. */
async function attempt(): Promise<void> {
  clearTimeout(timer);
  let failed: Failure | null;
  try {
    failed = await deliver();
  } catch {
    // IndexedDB or the vault failed under us: not the item's fault, so tried again later.
    failed = transport();
  }
  if (failed) {
    const failures = (retry?.failures ?? 0) + 1;
    const wait = retryDelay(failures, Math.random(), failed.retryAfterMs);
    retry = { failures, reason: failed.reason, at: Date.now() + wait };
    timer = setTimeout(() => void flushOutbox(), wait);
  } else {
    retry = null;
  }
}

/** Sends what the outbox holds now, or, if a send is under way (its list may predate a new
 *  save), right after it. Keeps the backoff: the automatic retries call this. */
function flushOutbox(): Promise<void> {
  if (!running) {
    running = attempt().finally(() => {
      running = null;
      notify();
    });
    notify();
    return running;
  }
  queued ??= running.then(() => {
    queued = null;
    return flushOutbox();
  });
  return queued;
}

/** Tries at once and forgets the backoff: the app opening, the browser's `online` event, a
 *  new save and "Try now" all mean the situation may have changed. */
export function sendNow(): Promise<void> {
  retry = null;
  clearTimeout(timer);
  return flushOutbox();
}

/** Stops the automatic retries (signed out). */
export function stopOutbox(): void {
  clearTimeout(timer);
  retry = null;
}

const lastResults = new Map<string, Contact>();

/** The user's queued items, where the retries stand and whether a send is under way. */
function useOutbox(): { items: Queued[]; retry: Retry | null; sending: boolean } {
  const [items, setItems] = useState<Queued[]>([]);
  const [, tick] = useState(0);
  useEffect(() => {
    const l = () => {
      mine().then(setItems);
      tick((n) => n + 1);
    };
    listeners.add(l);
    l();
    // The "next try in …" hint counts down.
    const clock = setInterval(() => retry && tick((n) => n + 1), 1000);
    return () => {
      listeners.delete(l);
      clearInterval(clock);
    };
  }, []);
  return { items, retry, sending: running !== null };
}

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

  useEffect(() => {
    // The result of the last save, once the server has scored it.
    const l = () => {
      const r = lastResults.get(id);
      if (r) setResult(r);
    };
    listeners.add(l);
    return () => void listeners.delete(l);
  }, [id]);

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
      needs: s("needs") ? s("needs").split(",").map((x) => x.trim()).filter(Boolean) : [],
      notes: s("notes") || null,
      status: "open",
      screenings,
    };
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
      setStatus(`Not accepted: ${still.error}`);
    } else if (retry && retry.reason !== "offline") {
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
  }

  const scored = (sid: string) => result?.screenings.find((x) => x.id === sid)?.result;
  const screening = lap ? scored(screeningId) : undefined;
  const dashResult = dash ? scored(dashId) : undefined;
  return (
    <section>
      <h1>Crisis contact</h1>
      <OutboxLine />
      <form id="contact-form" class="card" onSubmit={save}>
        <label>
          Pseudonym (shown in lists)
          <input name="pseudonym" required maxLength={100} autocomplete="off" />
        </label>
        <label>
          Name (sealed)
          <input name="name" autocomplete="off" />
        </label>
        <label>
          Safe phone (sealed)
          <input name="phone" type="tel" autocomplete="off" />
        </label>
        <label>
          Setting
          <select name="setting">
            {SETTINGS.map((k) => (
              <option value={k}>{label(k)}</option>
            ))}
          </select>
        </label>
        <label>
          Incident
          <select name="incident_type">
            {INCIDENTS.map((k) => (
              <option value={k}>{label(k)}</option>
            ))}
          </select>
        </label>
        <label>
          Needs (comma-separated)
          <input name="needs" autocomplete="off" />
        </label>
        <label>
          Notes
          <textarea name="notes" rows={3} />
        </label>
        <label class="check">
          <input type="checkbox" checked={lap} onChange={(e) => setLap((e.target as HTMLInputElement).checked)} /> Lethality screen (LAP)
        </label>
        {lap && (
          <fieldset class="lap">
            <legend>Lethality screen</legend>
            <Questions name="lap" questions={LAP_QUESTIONS} answers={answers} onChange={setAnswers} />
            <label>
              Screen in by belief (reason)
              <input name="belief" autocomplete="off" />
            </label>
            <label>
              Why no high-risk alert is needed (optional)
              <input name="no_alert" autocomplete="off" />
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
            <Questions name="dash" questions={DASH_QUESTIONS.map(sentence)} answers={dashAnswers} onChange={setDashAnswers} />
            <label>
              Professional judgement raises the level to
              <select name="dash_judgement">
                <option value="">(as scored)</option>
                <option value="medium">medium</option>
                <option value="high">high</option>
              </select>
            </label>
            <label>
              Reason for the judgement
              <input name="dash_judgement_reason" autocomplete="off" />
            </label>
            <label>
              Why no high-risk alert is needed (optional)
              <input name="dash_no_alert" autocomplete="off" />
            </label>
          </fieldset>
        )}
        <div class="actions">
          <button class="primary">Save contact</button>
          <button type="button" onClick={next}>
            New contact
          </button>
        </div>
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
