// Advocates: raise an alert and watch it, scene check-in with a countdown, check-out, duress.

import { useEffect, useState } from "preact/hooks";
import { ago, call, errorText, get, label, uuid, type Schema } from "../api";

type Alert = Schema<"Alert">;
type Checkin = Schema<"Checkin">;
import { kvDelete, kvGet, kvSet } from "../idb";

export function RaiseAlert() {
  const [id, setId] = useState<string | null>(null);
  const [alert, setAlert] = useState<Alert | null>(null);
  const [msg, setMsg] = useState("");
  useEffect(() => {
    if (!id) return;
    const load = () => get<Alert>(`/v1/alerts/${id}`).then(setAlert).catch(() => {});
    load();
    const t = setInterval(load, 5_000);
    return () => clearInterval(t);
  }, [id]);

  async function raise(e: Event) {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const newId = id ?? uuid();
    try {
      const raise: Schema<"RaiseAlert"> = {
        id: newId,
        kind: f.get("kind") as Schema<"AlertKind">,
        details: String(f.get("details") ?? "").trim() || null,
      };
      const r = await call<Alert>("POST", "/v1/alerts", raise);
      setId(newId);
      setAlert(r.body);
      setMsg("");
    } catch (err) {
      setMsg(errorText(err));
    }
  }

  return (
    <section>
      <h1>Raise an alert</h1>
      {!alert && (
        <form class="card" onSubmit={raise}>
          <label>
            Kind
            <select name="kind">
              <option value="next_of_kin">Next-of-kin notification</option>
              <option value="high_risk">High risk</option>
              <option value="advocate_safety">Advocate safety</option>
            </select>
          </label>
          <label>
            Details for the coordinator (never sent in notifications)
            <textarea name="details" rows={3} />
          </label>
          <button class="primary">Raise alert</button>
        </form>
      )}
      {msg && <p class="error">{msg}</p>}
      {alert && (
        <div class="card">
          <p>
            {label(alert.kind)}: <span class={`badge ${alert.state}`} data-test="raised-state">{label(alert.state)}</span>
          </p>
          <p class="muted">Raised {ago(alert.created_at)}. {alert.state === "triggered" ? "Waiting for a coordinator…" : ""}</p>
          <button onClick={() => (setId(null), setAlert(null))}>Done</button>
        </div>
      )}
    </section>
  );
}

function position(): Promise<Schema<"LocationReport"> | null> {
  return new Promise((resolve) => {
    if (!("geolocation" in navigator)) return resolve(null);
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ latitude: p.coords.latitude, longitude: p.coords.longitude, precision_m: Math.max(1, Math.round(p.coords.accuracy)) }),
      () => resolve(null),
      { timeout: 5_000, maximumAge: 60_000 },
    );
  });
}

export function Safety() {
  const [checkin, setCheckin] = useState<Checkin | null>(null);
  const [now, setNow] = useState(Date.now());
  const [msg, setMsg] = useState("");
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
      setCheckin(r.body);
      await kvSet("checkin", r.body);
      setMsg("");
    } catch (err) {
      setMsg(errorText(err));
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
      await call("POST", `/v1/safety/checkins/${checkin.id}/checkout`, out);
      setCheckin(null);
      await kvDelete("checkin");
      setMsg("Checked out. Stay safe.");
    } catch (err) {
      setMsg(errorText(err));
    }
  }

  async function duress() {
    try {
      const body: Schema<"Duress"> = { id: uuid(), location: await position() };
      await call("POST", "/v1/safety/duress", body);
      setMsg("Help is being called.");
    } catch (err) {
      setMsg(errorText(err));
    }
  }

  const left = checkin ? Math.round((Date.parse(checkin.expected_end_at) - now) / 1000) : 0;
  const mmss = (s: number) => `${s < 0 ? "-" : ""}${Math.floor(Math.abs(s) / 60)}:${String(Math.abs(s) % 60).padStart(2, "0")}`;
  return (
    <section>
      <h1>Scene check-in</h1>
      {!checkin ? (
        <form class="card" onSubmit={start}>
          <label>
            Expected time at the scene
            <select name="minutes">
              {[15, 30, 45, 60, 90, 120, 180].map((m) => (
                <option value={m} selected={m === 60}>
                  {m} minutes
                </option>
              ))}
            </select>
          </label>
          <button class="primary">Check in</button>
        </form>
      ) : (
        <div class="card">
          <p class={`countdown ${left < 0 ? "overdue" : ""}`} role="timer" aria-live="off">
            {mmss(left)}
          </p>
          <p class="muted">
            {left < 0 ? `Overdue: the coordinator is alerted ${checkin.grace_minutes} minutes after the expected end.` : "until your expected check-out"}
          </p>
          <button onClick={extend}>+30 minutes</button>
          <form onSubmit={checkout} class="inline">
            <label>
              Check-out code
              <input name="code" type="password" autocomplete="off" />
            </label>
            <button class="primary">Check out</button>
          </form>
        </div>
      )}
      <button class="danger big" onClick={duress}>
        Duress: call for help
      </button>
      {msg && <p role="status">{msg}</p>}
    </section>
  );
}
