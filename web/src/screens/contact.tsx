// Advocates: record a crisis contact. Every save goes to the outbox in IndexedDB first and is
// sent with its own id (PUT /v1/contacts/{id} is idempotent), so a contact recorded without
// signal is sent once the phone is back online and a replay changes nothing.

import { useEffect, useState } from "preact/hooks";
import { Offline, Problem, call, errorText, label, uuid } from "../api";
import { outboxAll, outboxDelete, outboxPut, type Queued } from "../idb";

const SETTINGS = ["on_scene", "hospital", "phone", "court", "office", "other"];
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
let flushing = false;

/** Sends what the outbox holds, oldest first. Stops at the first network failure. */
export async function flushOutbox(): Promise<void> {
  if (flushing) return;
  flushing = true;
  try {
    const items = (await outboxAll()).filter((q) => !q.error).sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
    for (const q of items) {
      try {
        const r = await call("PUT", `/v1/contacts/${q.id}`, q.body);
        await outboxDelete(q.id);
        lastResults.set(q.id, r.body);
      } catch (e) {
        if (e instanceof Offline) break;
        if (e instanceof Problem && e.status !== 401 && e.status < 500 && e.status !== 429) {
          await outboxPut({ ...q, error: errorText(e) });
        } else break;
      }
    }
  } finally {
    flushing = false;
    listeners.forEach((l) => l());
  }
}
const lastResults = new Map<string, any>();

function useOutbox(): Queued[] {
  const [items, setItems] = useState<Queued[]>([]);
  useEffect(() => {
    const l = () => outboxAll().then(setItems);
    listeners.add(l);
    l();
    return () => void listeners.delete(l);
  }, []);
  return items;
}

export function ContactForm() {
  const outbox = useOutbox();
  const [id, setId] = useState(uuid());
  const [personId, setPersonId] = useState(uuid());
  // One screening per form: saving again must not record it twice.
  const [screeningId, setScreeningId] = useState(uuid());
  const [answers, setAnswers] = useState<string[]>(Array(11).fill("not_answered"));
  const [lap, setLap] = useState(false);
  const [status, setStatus] = useState("");
  const [result, setResult] = useState<any>(null);

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
    const body: any = {
      occurred_at: new Date().toISOString(),
      setting: s("setting"),
      incident_type: s("incident_type"),
      person: { id: personId, pseudonym: s("pseudonym"), name: s("name") || null, phone: s("phone") || null },
      needs: s("needs") ? s("needs").split(",").map((x) => x.trim()).filter(Boolean) : [],
      notes: s("notes") || null,
      status: "open",
      screenings: lap
        ? [
            {
              id: screeningId,
              screening: {
                instrument: "lap",
                answers,
                screen_in_by_belief: s("belief") || null,
                no_alert_reason: s("no_alert") || null,
              },
            },
          ]
        : [],
    };
    await outboxPut({ id, body, queuedAt: new Date().toISOString() });
    setStatus(navigator.onLine ? "Sending…" : "Saved on this phone. It will be sent when you are back online.");
    await flushOutbox();
    const still = (await outboxAll()).find((q) => q.id === id);
    if (!still) {
      setStatus("Sent.");
    } else if (still.error) {
      setStatus(`Not accepted: ${still.error}`);
    } else {
      setStatus("Saved on this phone. It will be sent when you are back online.");
    }
  }

  function next() {
    (document.getElementById("contact-form") as HTMLFormElement)?.reset();
    setId(uuid());
    setPersonId(uuid());
    setScreeningId(uuid());
    setAnswers(Array(11).fill("not_answered"));
    setLap(false);
    setStatus("");
    setResult(null);
  }

  const screening = result?.screenings?.[result.screenings.length - 1]?.result;
  return (
    <section>
      <h1>Crisis contact</h1>
      <p class="muted" data-test="outbox">
        {outbox.length === 0 ? "Everything is sent." : `${outbox.length} waiting to be sent`}
        {outbox.some((q) => q.error) && " (some need fixing)"}
      </p>
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
            {LAP_QUESTIONS.map((q, i) => (
              <div class="question" key={i} role="radiogroup" aria-label={q}>
                <span>
                  {i + 1}. {q}
                </span>
                {["yes", "no", "not_answered"].map((a) => (
                  <label class="check">
                    <input
                      type="radio"
                      name={`q${i}`}
                      checked={answers[i] === a}
                      onChange={() => setAnswers((old) => old.map((x, j) => (j === i ? a : x)))}
                    />{" "}
                    {a === "not_answered" ? "no answer" : a}
                  </label>
                ))}
              </div>
            ))}
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
        <div class="actions">
          <button class="primary">Save contact</button>
          <button type="button" onClick={next}>
            New contact
          </button>
        </div>
        {status && <p role="status">{status}</p>}
        {screening && (
          <p class={screening.high_risk ? "error" : "ok"} data-test="lap-result">
            LAP: {label(screening.lap_outcome ?? "")} ({screening.yes_count} yes of questions 4–11)
            {screening.alert_required && ". A high-risk alert goes to the coordinator."}
          </p>
        )}
      </form>
    </section>
  );
}
