// Coordinators: this device's alerts, the inbox and one alert with its timeline.

import { useEffect, useState } from "preact/hooks";
import { ago, call, errorText, get, label, type Schema } from "../api";
import type { Nav } from "../nav";

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

export function AlertInbox({ nav }: { nav: Nav }) {
  const [alerts, setAlerts] = useState<Alert[] | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    let live = true;
    const load = () =>
      get<Schema<"AlertList">>("/v1/alerts")
        .then((r) => live && (setAlerts(r.alerts), setError("")))
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
      {alerts && alerts.length === 0 && <p>No open alerts.</p>}
      <ul class="list">
        {alerts?.map((a) => (
          <li key={a.id}>
            <button class={`row state-${a.state}`} onClick={() => nav({ name: "alert", id: a.id })}>
              <strong>{label(a.kind)}</strong>
              <span class={`badge ${a.state}`}>{label(a.state)}</span>
              {a.urgency === "high" && <span class="badge high">high urgency</span>}
              <span class="muted">{ago(a.created_at)}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function AlertDetail({ id, nav }: { id: string; nav?: Nav }) {
  const [alert, setAlert] = useState<Alert | null>(null);
  const [error, setError] = useState("");
  const load = () =>
    get<Alert>(`/v1/alerts/${id}`)
      .then(setAlert)
      .catch((e) => setError(errorText(e)));
  useEffect(() => {
    load();
    const t = setInterval(load, 10_000);
    return () => clearInterval(t);
  }, [id]);

  async function act(what: "acknowledge" | "resolve") {
    try {
      setAlert((await call<Alert>("POST", `/v1/alerts/${id}/${what}`)).body);
      setError("");
    } catch (e) {
      setError(errorText(e));
    }
  }

  return (
    <section>
      {nav && (
        <button class="link" onClick={() => nav({ name: "alerts" })}>
          ← All alerts
        </button>
      )}
      {error && <p class="error">{error}</p>}
      {alert && (
        <>
          <h1>{label(alert.kind)}</h1>
          <p>
            <span class={`badge ${alert.state}`} data-test="alert-state">
              {label(alert.state)}
            </span>{" "}
            {alert.urgency === "high" && <span class="badge high">high urgency</span>} raised {ago(alert.created_at)}
          </p>
          {alert.details && <p class="details">{alert.details}</p>}
          <div class="actions">
            {alert.state === "triggered" && (
              <button class="primary" onClick={() => act("acknowledge")}>
                Acknowledge
              </button>
            )}
            {alert.state !== "resolved" && <button onClick={() => act("resolve")}>Resolve</button>}
          </div>
          <h2>Timeline</h2>
          <ol class="timeline">
            {alert.timeline.map((ev, i) => (
              <li key={i}>
                <time>{new Date(ev.at).toLocaleTimeString()}</time> {label(ev.kind)}
                {ev.level != null && ` (level ${ev.level + 1})`}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
