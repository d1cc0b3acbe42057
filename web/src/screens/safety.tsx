// Advocates: raise an alert and follow every alert they raised, scene check-in with a countdown (the phone's location
// sent with it), check-out, duress, and setting the duress code.

import { useEffect, useState } from "preact/hooks";
import type { ComponentChildren } from "preact";
import { call, get, label, uuid, type Schema } from "../api";
import { kvDelete, kvGet, kvSet } from "../idb";
import type { Me } from "../session";
import { CallButtons, position, useDuress } from "../duress";
import { errorText, useFieldErrors, type Problems } from "../fielderrors";
import { When } from "../time";

type Alert = Schema<"Alert">;
type Checkin = Schema<"Checkin">;

/** Every alert you raised or joined (and those your screenings raised), open and resolved,
 *  newest first. */
async function myAlerts(): Promise<Alert[]> {
  const [open, resolved] = await Promise.all([
    get<Schema<"AlertList">>("/v1/alerts"),
    get<Schema<"AlertList">>("/v1/alerts?state=resolved"),
  ]);
  return [...open.alerts, ...resolved.alerts].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
}

/** Where an alert stands, for the person who raised it (when, in the agency's zone). */
function standing(a: Alert): ComponentChildren {
  if (a.state === "triggered") return "Waiting for a coordinator to acknowledge.";
  if (a.state === "acknowledged")
    return (
      <>
        Acknowledged by {a.acknowledged_by_name ?? "a coordinator"} <When iso={a.acknowledged_at} />.
      </>
    );
  return (
    <>
      Resolved by {a.resolved_by_name ?? "a coordinator"} <When iso={a.resolved_at} />
      {a.resolution_note ? `: ${a.resolution_note}` : "."}
    </>
  );
}

/** Advocates: raise an alert, and every alert they raised with its state and who has it. */
export function RaiseAlert({ me }: { me: Me }) {
  const [alerts, setAlerts] = useState<Alert[] | null>(null);
  // The id of an alert being raised: a retry after a lost answer raises it once.
  const [pending, setPending] = useState<string | null>(null);
  const [msg, setMsg] = useState("");
  const fe = useFieldErrors(["/kind", "/details"]);
  const load = () =>
    myAlerts()
      .then(setAlerts)
      .catch((e) => setMsg(errorText(e)));
  useEffect(() => {
    load();
    const t = setInterval(load, 10_000);
    return () => clearInterval(t);
  }, []);

  async function raise(e: Event) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const f = new FormData(form);
    const id = pending ?? uuid();
    setPending(id);
    try {
      const body: Schema<"RaiseAlert"> = {
        id,
        kind: f.get("kind") as Schema<"AlertKind">,
        details: String(f.get("details") ?? "").trim() || null,
      };
      await call<Alert>("POST", "/v1/alerts", body);
      setPending(null);
      form.reset();
      fe.clear();
      setMsg("Alert raised. It is below: you see here when a coordinator has it.");
      await load();
    } catch (err) {
      setMsg(fe.fromError(err) ? "" : errorText(err));
    }
  }

  return (
    <section>
      <h1>My alerts</h1>
      <form class="card" onSubmit={raise} ref={fe.form}>
        <h2>Raise an alert</h2>
        <label>
          Kind
          <select name="kind" {...fe.field("/kind")}>
            <option value="high_risk" selected>
              High risk
            </option>
            <option value="advocate_safety">Advocate safety</option>
            <option value="next_of_kin">Next-of-kin notification</option>
          </select>
          {fe.message("/kind")}
        </label>
        <label>
          Details for the coordinator (never sent in notifications)
          <textarea name="details" rows={3} maxLength={2000} {...fe.field("/details")} />
          {fe.message("/details")}
        </label>
        {fe.summary("Not raised")}
        <button class="primary">Raise alert</button>
      </form>
      {msg && <p role="status">{msg}</p>}
      <h2>Alerts you raised</h2>
      {!alerts && <p role="status">Loading…</p>}
      {alerts?.length === 0 && <p>None yet.</p>}
      <ul class="list">
        {alerts?.map((a) => (
          <li key={a.id} class={`card mine state-${a.state}`} data-alert={a.id}>
            <p>
              <strong>{label(a.kind)}</strong>{" "}
              <span class={`badge ${a.state}`} data-test="raised-state">
                {label(a.state)}
              </span>{" "}
              <span class="muted">
                <When iso={a.created_at} />
                {a.contact_id && " · about a contact"}
                {a.raised_by !== me.id && a.raised_by_name && ` · raised by ${a.raised_by_name}`}
              </span>
            </p>
            <p data-test="standing">{standing(a)}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function Safety({ me }: { me: Me }) {
  const [checkin, setCheckin] = useState<Checkin | null>(null);
  const [now, setNow] = useState(Date.now());
  const [msg, setMsg] = useState<ComponentChildren>("");
  const [codeMsg, setCodeMsg] = useState("");
  const duress = useDuress();
  const startFe = useFieldErrors(["/expected_end_at", "/grace_minutes"]);
  const outFe = useFieldErrors(["/code"]);
  const codeFe = useFieldErrors(["/code"]);
  useEffect(() => {
    // The active check-in survives a reload (its id only; nothing about a victim).
    kvGet<Checkin>("checkin").then((c) => c && c.state === "active" && setCheckin(c));
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);

  async function start(e: Event) {
    e.preventDefault();
    const minutes = Number(new FormData(e.target as HTMLFormElement).get("minutes"));
    try {
      const start: Schema<"StartCheckin"> = {
        id: uuid(),
        expected_end_at: new Date(Date.now() + minutes * 60_000).toISOString(),
        grace_minutes: 15,
      };
      const r = await call<Checkin>("POST", "/v1/safety/checkins", start);
      startFe.clear();
      setCheckin(r.body);
      await kvSet("checkin", r.body);
      setMsg(await sendLocation(r.body.id));
    } catch (err) {
      setMsg(startFe.fromError(err) ? "" : errorText(err));
    }
  }

  async function extend() {
    if (!checkin) return;
    try {
      const later: Schema<"ExtendCheckin"> = {
        expected_end_at: new Date(Math.max(Date.now(), Date.parse(checkin.expected_end_at)) + 30 * 60_000).toISOString(),
      };
      const r = await call<Checkin>("POST", `/v1/safety/checkins/${checkin.id}/extend`, later);
      setCheckin(r.body);
      await kvSet("checkin", r.body);
      setMsg(await sendLocation(r.body.id));
    } catch (err) {
      setMsg(errorText(err));
    }
  }

  async function checkout(e: Event) {
    e.preventDefault();
    if (!checkin) return;
    const code = String(new FormData(e.target as HTMLFormElement).get("code") ?? "").trim();
    try {
      const out: Schema<"Checkout"> = { code: code || null };
      const done = (await call<Checkin>("POST", `/v1/safety/checkins/${checkin.id}/checkout`, out)).body;
      outFe.clear();
      setCheckin(null);
      await kvDelete("checkin");
      setMsg(
        <>
          Checked out at <When iso={done?.checked_out_at ?? new Date().toISOString()} relative={false} />. Stay safe.
        </>,
      );
    } catch (err) {
      setMsg(outFe.fromError(err) ? "" : errorText(err));
    }
  }

  async function setCode(e: Event) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const body: Schema<"DuressCode"> = { code: String(new FormData(form).get("duress_code") ?? "") };
    // The server's rule, checked here first.
    const n = [...body.code].length;
    const found: Problems = n < 4 || n > 32 ? { "/code": `Must be 4 to 32 characters (this is ${n}).` } : {};
    codeFe.show(found);
    setCodeMsg("");
    if (Object.keys(found).length) return;
    try {
      await call("PUT", "/v1/safety/duress-code", body);
      form.reset();
      setCodeMsg("Duress code set.");
    } catch (err) {
      setCodeMsg(codeFe.fromError(err) ? "" : errorText(err));
    }
  }

  const left = checkin ? Math.round((Date.parse(checkin.expected_end_at) - now) / 1000) : 0;
  const mmss = (s: number) => `${s < 0 ? "-" : ""}${Math.floor(Math.abs(s) / 60)}:${String(Math.abs(s) % 60).padStart(2, "0")}`;
  return (
    <section>
      <h1>Scene check-in</h1>
      {!checkin ? (
        <form class="card" onSubmit={start} ref={startFe.form}>
          <label>
            Expected time at the scene
            <select name="minutes" {...startFe.field("/expected_end_at")}>
              {[15, 30, 45, 60, 90, 120, 180].map((m) => (
                <option value={m} selected={m === 60}>
                  {m} minutes
                </option>
              ))}
            </select>
            {startFe.message("/expected_end_at")}
            {startFe.message("/grace_minutes")}
          </label>
          {startFe.summary("Not checked in")}
          <button class="primary">Check in</button>
        </form>
      ) : (
        <div class="card">
          <p class={`countdown ${left < 0 ? "overdue" : ""}`} role="timer" aria-live="off">
            {mmss(left)}
          </p>
          <p class="muted" data-test="checkin-times">
            {left < 0 ? `Overdue: the coordinator is alerted ${checkin.grace_minutes} minutes after the expected end` : "Until your expected check-out"} at{" "}
            <When iso={checkin.expected_end_at} relative={false} /> (checked in at <When iso={checkin.started_at} relative={false} />).
          </p>
          <button onClick={extend}>+30 minutes</button>
          <form onSubmit={checkout} class="inline" ref={outFe.form}>
            <label>
              Check-out code
              <input name="code" type="password" autocomplete="off" {...outFe.field("/code")} />
              {outFe.message("/code")}
            </label>
            <button class="primary">Check out</button>
          </form>
        </div>
      )}
      <button class="danger big" onClick={duress.send} disabled={duress.busy}>
        {duress.busy ? "Sending…" : "Duress: alert the coordinator"}
      </button>
      {msg && <p role="status">{msg}</p>}
      {duress.outcome && (
        <p role="alert" class={duress.outcome.state === "sent" ? "ok" : "error"} data-state={duress.outcome.state}>
          {duress.outcome.text}
        </p>
      )}
      {duress.outcome && duress.outcome.state !== "sent" && <CallButtons me={me} />}
      <form class="card" onSubmit={setCode} ref={codeFe.form} noValidate>
        <h2>Your duress code</h2>
        <p class="hint">
          Typed at check-out instead of your usual code, it checks you out as usual on screen and alerts the coordinator
          without a sign.
        </p>
        <label>
          Duress code (4 to 32 characters)
          <input name="duress_code" type="password" autocomplete="off" maxLength={32} required {...codeFe.field("/code")} />
          {codeFe.message("/code")}
        </label>
        {codeFe.summary("Not set")}
        <button>Set duress code</button>
        {codeMsg && <p role="status">{codeMsg}</p>}
      </form>
    </section>
  );
}

/** Sends the phone's location with a check-in (kept sealed; shown to the coordinator only if
 *  an alert is raised); the line that says whether it went. */
async function sendLocation(checkin: string): Promise<string> {
  const here = await position();
  if (!here) return "Your location is not available: a missed check-out would reach the coordinator without it.";
  try {
    await call("POST", `/v1/safety/checkins/${checkin}/location`, here);
    return "Your location went with the check-in (shown to the coordinator only if an alert is raised).";
  } catch {
    return "Your location could not be sent: a missed check-out would reach the coordinator without it.";
  }
}
