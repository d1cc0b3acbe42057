// Coordinators: this device's alerts, the inbox and one alert with its timeline.

import { useEffect, useState } from "preact/hooks";
import { Problem, call, get, label, type Schema } from "../api";
import { errorText, useFieldErrors } from "../fielderrors";
import { When, clock } from "../time";
import type { Nav } from "../nav";
import { telLink } from "../tel";

function b64urlToBytes(s: string): Uint8Array<ArrayBuffer> {
  const pad = "=".repeat((4 - (s.length % 4)) % 4);
  const bin = atob((s + pad).replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function EnableAlerts() {
  const supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  const [state, setState] = useState(supported ? Notification.permission : "unsupported");
  const [subscribed, setSubscribed] = useState<boolean | null>(null);
  const [msg, setMsg] = useState("");

  useEffect(() => {
    if (!supported) return;
    navigator.serviceWorker.ready
      .then((r) => r.pushManager.getSubscription())
      .then((s) => setSubscribed(!!s))
      .catch(() => setSubscribed(false));
  }, []);

  // Must run from the button's click: browsers only ask for permission on a user gesture.
  async function enable() {
    setMsg("");
    try {
      const permission = await Notification.requestPermission();
      setState(permission);
      if (permission !== "granted") {
        setMsg("Notifications are blocked for this site. Allow them in the browser's site settings.");
        return;
      }
      const { public_key } = await get<Schema<"VapidPublicKey">>("/v1/push/vapid-public-key");
      const reg = await navigator.serviceWorker.ready;
      const old = await reg.pushManager.getSubscription();
      const sub =
        old ??
        (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: b64urlToBytes(public_key) }));
      await call("POST", "/v1/push/subscriptions", sub.toJSON());
      setSubscribed(true);
      setMsg("Alerts are on for this device.");
    } catch (e) {
      setMsg(errorText(e));
    }
  }

  if (subscribed) return <p class="ok" data-test="alerts-enabled">Alerts are on for this device.</p>;
  return (
    <section class="card">
      <h2>Alerts on this device</h2>
      <p class="hint">
        Works in Chrome on Android, and on iPhone and iPad (iOS 16.4 or later) once Fieldline is added to the home
        screen (Share, then "Add to Home Screen") and opened from there.
      </p>
      {state === "unsupported" ? (
        <p class="error">This browser cannot receive alerts.</p>
      ) : (
        <button class="primary" onClick={enable}>
          Enable alerts on this device
        </button>
      )}
      {msg && <p role="status">{msg}</p>}
    </section>
  );
}

export type Alert = Schema<"Alert">;

/** Triggered first, then newest first: what needs someone now is at the top. */
export const byUrgency = (a: Alert, b: Alert) =>
  Number(b.state === "triggered") - Number(a.state === "triggered") || Date.parse(b.created_at) - Date.parse(a.created_at);

/** The point a duress or missed check-out alert carries in the server's own line
 *  ("… location 40.23380, -111.65850 (±12 m)"), if any. */
export function locationIn(details: string | null | undefined): { latitude: number; longitude: number } | null {
  const m = details && /\blocation (-?\d+(?:\.\d+)?), (-?\d+(?:\.\d+)?)/.exec(details);
  return m ? { latitude: Number(m[1]), longitude: Number(m[2]) } : null;
}

/** A link that opens the phone's own maps app at a point (no outside web service learns it). */
const mapLink = (p: { latitude: number; longitude: number }) => `geo:${p.latitude},${p.longitude}?q=${p.latitude},${p.longitude}`;

export function AlertInbox({ nav }: { nav: Nav }) {
  const [alerts, setAlerts] = useState<Alert[] | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    let live = true;
    const load = () =>
      get<Schema<"AlertList">>("/v1/alerts")
        .then((r) => live && (setAlerts([...r.alerts].sort(byUrgency)), setError("")))
        .catch((e) => live && setError(errorText(e)));
    load();
    const t = setInterval(load, 15_000);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, []);
  return (
    <section>
      <h1>Open alerts</h1>
      {error && <p class="error">{error}</p>}
      {!alerts && !error && <p role="status">Loading…</p>}
      {alerts && alerts.length === 0 && <p>No open alerts.</p>}
      <ul class="list">
        {alerts?.map((a) => (
          <li key={a.id}>
            <button class={`row state-${a.state}`} onClick={() => nav({ name: "alert", id: a.id })}>
              <strong>{label(a.kind)}</strong>
              <span class={`badge ${a.state}`}>{label(a.state)}</span>
              {a.urgency === "high" && <span class="badge high">high urgency</span>}
              <span class="muted">
                <When iso={a.created_at} />
              </span>
              {a.raised_by_name && <span class="who">from {a.raised_by_name}</span>}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The contact an alert is about, by pseudonym (coordinators outside a sealed record's team
 *  are told so). */
function LinkedContact({ id }: { id: string }) {
  const [c, setC] = useState<Schema<"Contact"> | null>(null);
  const [msg, setMsg] = useState("Loading…");
  useEffect(() => {
    get<Schema<"Contact">>(`/v1/contacts/${id}`)
      .then((r) => (setC(r), setMsg("")))
      .catch((e) => setMsg(e instanceof Problem && (e.status === 403 || e.status === 404) ? "not open to you" : errorText(e)));
  }, [id]);
  return (
    <p data-test="alert-contact">
      Contact:{" "}
      {c ? (
        <>
          <strong>{c.person.pseudonym}</strong> · {label(c.incident_type)} · {label(c.setting)} · <When iso={c.occurred_at} />
        </>
      ) : (
        <span class="muted">{msg}</span>
      )}
    </p>
  );
}

export function AlertDetail({ id, nav }: { id: string; nav?: Nav }) {
  const [alert, setAlert] = useState<Alert | null>(null);
  const [error, setError] = useState("");
  const [closing, setClosing] = useState(false);
  const fe = useFieldErrors(["/note"]);
  const load = () =>
    get<Alert>(`/v1/alerts/${id}`)
      .then(setAlert)
      .catch((e) => setError(errorText(e)));
  useEffect(() => {
    load();
    const t = setInterval(load, 10_000);
    return () => clearInterval(t);
  }, [id]);

  async function act(what: "acknowledge" | "resolve", body?: Schema<"ResolveAlert">) {
    try {
      setAlert((await call<Alert>("POST", `/v1/alerts/${id}/${what}`, body)).body);
      setError("");
      setClosing(false);
      fe.clear();
    } catch (e) {
      // A problem with the closing note shows at it; anything else above.
      if (!(closing && fe.fromError(e))) setError(errorText(e));
    }
  }

  function resolve(e: Event) {
    e.preventDefault();
    const note = String(new FormData(e.target as HTMLFormElement).get("note") ?? "").trim();
    void act("resolve", note ? { note } : undefined);
  }

  const who = alert?.raised_by_name ?? "an unknown person";
  const phone = alert?.raised_by_phone;
  const where = locationIn(alert?.details);
  return (
    <section>
      {nav && (
        <button class="link back" onClick={() => nav({ name: "alerts" })}>
          ← All alerts
        </button>
      )}
      {error && <p class="error">{error}</p>}
      {!alert && !error && <p role="status">Loading…</p>}
      {alert && (
        <>
          <h1>{label(alert.kind)}</h1>
          <p>
            <span class={`badge ${alert.state}`} data-test="alert-state">
              {label(alert.state)}
            </span>{" "}
            {alert.urgency === "high" && <span class="badge high">high urgency</span>} raised <When iso={alert.created_at} />
          </p>
          <div class="card raiser">
            <p>
              Raised by <strong data-test="raised-by">{who}</strong>
              {!phone && <span class="muted"> (no phone number on file)</span>}
            </p>
            <div class="actions">
              {alert.state === "triggered" && phone && (
                // One tap: "I have it" and the call to the person who raised it.
                <a class="button primary" href={telLink(phone)} onClick={() => void act("acknowledge")}>
                  Acknowledge and call {who}
                </a>
              )}
              {alert.state === "triggered" && (
                <button class={phone ? "" : "primary"} onClick={() => act("acknowledge")}>
                  Acknowledge
                </button>
              )}
              {phone && alert.state !== "triggered" && (
                <a class="button primary" href={telLink(phone)}>
                  Call {who}
                </a>
              )}
              {phone && <span class="muted">{phone}</span>}
            </div>
            {alert.acknowledged_by_name && <p data-test="acknowledged-by">Acknowledged by {alert.acknowledged_by_name}.</p>}
          </div>
          {alert.contact_id && <LinkedContact id={alert.contact_id} />}
          {alert.details ? <p class="details">{alert.details}</p> : <p class="muted">No details given.</p>}
          {where && (
            <p>
              <a class="button" href={mapLink(where)} data-test="map-link">
                Open the location in maps
              </a>
            </p>
          )}
          {alert.state === "resolved" ? (
            <p data-test="resolved">
              Resolved{alert.resolved_by_name && ` by ${alert.resolved_by_name}`}
              {alert.resolution_note ? `: ${alert.resolution_note}` : "."}
            </p>
          ) : closing ? (
            <form class="card" onSubmit={resolve} ref={fe.form}>
              <h2>Resolve this alert?</h2>
              <p class="hint">Escalation stops and nobody else is called about it.</p>
              <label>
                Closing note (what happened, what was done; kept sealed, never in notifications)
                <textarea name="note" rows={3} maxLength={2000} {...fe.field("/note")} />
                {fe.message("/note")}
              </label>
              {fe.summary("Not resolved")}
              <div class="actions">
                <button class="primary">Resolve alert</button>
                <button type="button" onClick={() => setClosing(false)}>
                  Cancel
                </button>
              </div>
            </form>
          ) : (
            <div class="actions">
              <button onClick={() => setClosing(true)}>Resolve…</button>
            </div>
          )}
          <h2>Timeline</h2>
          <ol class="timeline">
            {alert.timeline.map((ev, i) => (
              <li key={i}>
                <time dateTime={ev.at} title={clock(ev.at, undefined, "full")}>
                  {clock(ev.at)}
                </time>{" "}
                {label(ev.kind)}
                {ev.actor_name && ` by ${ev.actor_name}`}
                {ev.level != null && ` (level ${ev.level + 1})`}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
