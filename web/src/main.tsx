// The app shell: sign-in, the screens each role needs, quick exit, idle timeout (while open and
// on reopening).
// Screens live in memory only: the URL stays /app/ and nothing about a victim reaches the
// title, the address bar or the history.

import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { ComponentChildren } from "preact";
import { Offline, Problem, setSignedOutHandler, type Schema } from "./api";
import { errorText } from "./fielderrors";
import { setAgencyZone } from "./time";
import { mayLeave, type Nav, type Screen } from "./nav";
import {
  clearSession,
  freshSession,
  fromTokenResponse,
  loadSession,
  saveSession,
  setDeviceKeyHandler,
  type Me,
} from "./session";
import { lastActiveGet, lastActiveSet, outboxAll, outboxClear, vaultDelete, vaultGet } from "./idb";
import { forgetDeviceKey, setDeviceKey } from "./vault";
import { AlertDetail, AlertInbox, EnableAlerts } from "./screens/alerts";
import { OnCall } from "./screens/oncall";
import { Directory } from "./screens/directory";
import { Nearby } from "./screens/nearby";
import { ContactForm } from "./screens/contact";
import { ensureVault, sendNow, stopOutbox } from "./outbox";
import { Plans } from "./screens/plans";
import { RaiseAlert, Safety } from "./screens/safety";
import { CallButtons, DuressSheet } from "./duress";

type Role = Schema<"Role">;

/** Sign out after this long without a touch or a key on a shared device. */
const IDLE_MS = 15 * 60 * 1000;
/** How often a touch or a key is written down (the idle rule on reopen reads it). */
const TOUCH_WRITE_MS = 30 * 1000;
/** How often use of the page refreshes the session, which the server counts as use. */
const KEEPALIVE_MS = 5 * 60 * 1000;

/** The device key a web session's token answer brings: into memory, and the user's outbox
 *  vault made if this browser has none yet. */
async function takeDeviceKey(key: string) {
  await setDeviceKey(key);
  const s = await loadSession();
  if (s) await ensureVault(s.user.id);
}
setDeviceKeyHandler(takeDeviceKey);

const TABS: { screen: Screen["name"]; label: string; roles: Role[] }[] = [
  { screen: "alerts", label: "Alerts", roles: ["coordinator"] },
  { screen: "oncall", label: "On call", roles: ["coordinator"] },
  { screen: "directory", label: "Directory", roles: ["housing_manager", "admin"] },
  { screen: "nearby", label: "Nearby", roles: ["advocate", "coordinator"] },
  { screen: "contact", label: "Contact", roles: ["advocate", "coordinator"] },
  { screen: "plans", label: "Plans", roles: ["advocate", "coordinator"] },
  { screen: "raise", label: "My alerts", roles: ["advocate"] },
  { screen: "safety", label: "Check-in", roles: ["advocate"] },
];

const root = document.getElementById("app")!;

/** Quick exit: drop everything on screen and in memory, and leave for a neutral page that
 *  replaces this one in the history (Back does not return here). */
export function quickExit() {
  // Reopening asks for the password first (the session stays, for the notification buttons).
  lock(true);
  render(null, root);
  document.title = "Weather";
  location.replace("/app/exit.html");
}

/** Locked by a quick exit: a flag only, written at once since the page is leaving. */
const LOCK = "fieldline-locked";
const locked = () => localStorage.getItem(LOCK) === "1";
function lock(on: boolean) {
  if (on) localStorage.setItem(LOCK, "1");
  else localStorage.removeItem(LOCK);
}

/** Whether the browser says it has a network, kept current. */
function useOnline(): boolean {
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const up = () => setOnline(true);
    const down = () => setOnline(false);
    window.addEventListener("online", up);
    window.addEventListener("offline", down);
    return () => {
      window.removeEventListener("online", up);
      window.removeEventListener("offline", down);
    };
  }, []);
  return online;
}

let lastEsc = 0;
document.addEventListener("keydown", (e) => {
  if (e.key !== "Escape") return;
  const now = Date.now();
  if (now - lastEsc < 800) quickExit();
  lastEsc = now;
});

function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [screen, setScreen] = useState<Screen | null>(null);
  const [duress, setDuress] = useState(false);
  const [isLocked, setLocked] = useState(locked);

  useEffect(() => {
    // Reopened after the idle limit: signed out before anything is shown (the server would
    // refuse the session's refresh by now anyway). Contacts waiting to be sent are kept.
    (async () => {
      const s = await loadSession();
      if (!s) return setMe(null);
      const last = await lastActiveGet();
      if (!last || Date.now() - last > IDLE_MS) return signOut(setMe, true);
      setMe(s.user);
    })().catch(() => setMe(null));
    setSignedOutHandler(() => {
      forgetDeviceKey();
      setMe(null);
    });
  }, []);

  useEffect(() => {
    if (!me) return;
    const first = TABS.find((t) => t.roles.some((r) => me.roles.includes(r)));
    setScreen(first ? ({ name: first.screen } as Screen) : null);
    // A browser without this user's outbox vault yet (signed in before it existed) makes one
    // as soon as a refresh brings the device key.
    vaultGet(me.id).then((v) => {
      if (!v && navigator.onLine) freshSession(true).catch(() => {});
    });
    // The outbox (contacts, a duress alert raised without signal): sent now, and again at once
    // when the browser says it is back online; in between it retries by itself with backoff
    // (outbox.ts).
    sendNow();
    const onOnline = () => void sendNow();
    window.addEventListener("online", onOnline);
    // A tap on a notification opens the alert it was about.
    const onMessage = (e: MessageEvent) => {
      if (e.data?.type === "open-alert") setScreen({ name: "alert", id: e.data.id });
    };
    navigator.serviceWorker?.addEventListener("message", onMessage);
    // Idle timeout.
    let last = Date.now();
    let written = 0;
    let kept = Date.now();
    const touch = () => {
      last = Date.now();
      if (last - written > TOUCH_WRITE_MS) {
        written = last;
        lastActiveSet(last).catch(() => {});
      }
      // The server ends a web session after 15 minutes without a request: someone filling a
      // long form, making none, keeps it alive by a refresh every few minutes of use.
      if (last - kept > KEEPALIVE_MS && navigator.onLine) {
        kept = last;
        freshSession(true).catch(() => {});
      }
    };
    const events = ["pointerdown", "keydown", "touchstart", "scroll"];
    events.forEach((ev) => window.addEventListener(ev, touch, { passive: true }));
    const idle = setInterval(() => {
      if (Date.now() - last > IDLE_MS) signOut(setMe, true);
    }, 15_000);
    return () => {
      window.removeEventListener("online", onOnline);
      stopOutbox();
      clearInterval(idle);
      navigator.serviceWorker?.removeEventListener("message", onMessage);
      events.forEach((ev) => window.removeEventListener(ev, touch));
    };
  }, [me]);

  // Every time on screen is in the agency's zone (time.tsx).
  setAgencyZone(me?.agency.time_zone);
  if (me === undefined) return <Frame />;
  if (me === null) return <Frame><SignIn onSignedIn={setMe} /></Frame>;
  if (isLocked)
    return (
      <Frame>
        <Unlock me={me} onUnlocked={() => setLocked(false)} onSignOut={() => signOut(setMe, false)} />
      </Frame>
    );
  const tabs = TABS.filter((t) => t.roles.some((r) => me.roles.includes(r)));
  const advocate = me.roles.includes("advocate");
  // Leaving a screen with unsaved work asks first (nav.ts).
  const go: Nav = (s) => mayLeave() && setScreen(s);
  return (
    <Frame
      me={me}
      onSignOut={() => signOut(setMe, false)}
      onDuress={advocate ? () => setDuress(true) : undefined}
      tabs={tabs}
      current={screen?.name}
      onTab={(n) => go({ name: n } as Screen)}
    >
      {duress && <DuressSheet me={me} onClose={() => setDuress(false)} />}
      <Body screen={screen} nav={go} me={me} />
    </Frame>
  );
}

function Body({ screen, nav, me }: { screen: Screen | null; nav: Nav; me: Me }) {
  if (!screen) return <p>Your account has no role that uses this app.</p>;
  switch (screen.name) {
    case "alerts":
      return (
        <>
          <EnableAlerts />
          <AlertInbox nav={nav} />
        </>
      );
    case "alert":
      return <AlertDetail id={screen.id} nav={nav} />;
    case "oncall":
      return <OnCall me={me} />;
    case "directory":
      return <Directory me={me} />;
    case "nearby":
      return <Nearby me={me} />;
    case "contact":
      return <ContactForm />;
    case "plans":
      return <Plans />;
    case "raise":
      return <RaiseAlert me={me} />;
    case "safety":
      return <Safety me={me} />;
  }
}

async function signOut(setMe: (m: Me | null) => void, idle: boolean) {
  const pending = await outboxAll().catch(() => []);
  if (
    pending.length > 0 &&
    !idle &&
    !confirm(
      `${pending.some((q) => q.kind === "duress") ? "A duress alert and what else was saved offline have" : `${pending.length} contact(s) recorded offline have`} not been sent yet. Signing out deletes them from this device. Sign out anyway?`,
    )
  ) {
    return;
  }
  const s = await loadSession();
  if (s) {
    fetch("/v1/auth/logout", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ refresh_token: s.refresh_token }),
    }).catch(() => {});
  }
  // Unsent contacts survive an idle timeout (the advocate signs in again to send them);
  // a deliberate sign-out removes them and the vault they were sealed to.
  forgetDeviceKey();
  if (!idle) {
    await outboxClear();
    if (s) await vaultDelete(s.user.id);
  }
  await clearSession();
  lock(false);
  // Whatever the service worker cached goes too.
  if ("caches" in window) {
    for (const k of await caches.keys()) await caches.delete(k);
  }
  setMe(null);
}

function Frame(props: {
  children?: ComponentChildren;
  me?: Me;
  /** Opens the duress sheet (advocates). */
  onDuress?: () => void;
  onSignOut?: () => void;
  tabs?: typeof TABS;
  current?: string;
  onTab?: (n: Screen["name"]) => void;
}) {
  const online = useOnline();
  return (
    <>
      <header class="bar">
        <span class="brand">Fieldline</span>
        {props.me && (
          <button class="link" onClick={props.onSignOut}>
            Sign out
          </button>
        )}
        {props.onDuress && (
          <button class="duress" onClick={props.onDuress} aria-label="Duress: alert the coordinator">
            Duress
          </button>
        )}
        <button class="exit" onClick={quickExit} aria-label="Quick exit: leave this app now (or press Esc twice)">
          Quick exit
        </button>
      </header>
      {props.tabs && props.tabs.length > 1 && (
        <nav class="tabs" aria-label="Screens">
          {props.tabs.map((t) => (
            <button
              key={t.screen}
              aria-current={props.current === t.screen ? "page" : undefined}
              onClick={() => props.onTab?.(t.screen)}
            >
              {t.label}
            </button>
          ))}
        </nav>
      )}
      {!online && (
        <p class="offline" role="status" data-test="offline">
          No connection. What you save waits on this phone and is sent when you are back online.
        </p>
      )}
      <main>{props.children}</main>
    </>
  );
}

/** Signs in as a web session (idle-limited on the server too; its answers carry the device
 *  key) and keeps the session; the signed-in user. */
async function login(email: string, password: string): Promise<Me> {
  const body: Schema<"LoginRequest"> = { email, password, client: "web" };
  const res = await fetch("/v1/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  }).catch(() => {
    throw new Offline("offline");
  });
  const answer: unknown = await res.json().catch(() => null);
  if (!res.ok) throw new Problem(res.status, answer, res.headers);
  const token = answer as Schema<"TokenResponse">;
  const s = fromTokenResponse(token);
  await saveSession(s);
  await lastActiveSet(Date.now());
  lock(false);
  if (token.device_key) await takeDeviceKey(token.device_key);
  return s.user;
}

/** After a quick exit: the password again before anything is shown. The numbers to call in
 *  danger stay one tap away. */
function Unlock({ me, onUnlocked, onSignOut }: { me: Me; onUnlocked: () => void; onSignOut: () => void }) {
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      await login(me.email, String(new FormData(e.target as HTMLFormElement).get("password") ?? ""));
      onUnlocked();
    } catch (err) {
      setError(err instanceof Offline ? "No connection: unlocking needs signal." : errorText(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="card" onSubmit={submit}>
      <h1>Fieldline is locked</h1>
      <p class="hint">Locked by quick exit. Enter your password to go on.</p>
      <label>
        Password
        <input name="password" type="password" autocomplete="current-password" required />
      </label>
      {error && <p role="alert" class="error">{error}</p>}
      <div class="actions">
        <button class="primary" disabled={busy}>
          Unlock
        </button>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </div>
      {me.roles.includes("advocate") && <CallButtons me={me} />}
    </form>
  );
}

function SignIn({ onSignedIn }: { onSignedIn: (m: Me) => void }) {
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    setBusy(true);
    setError("");
    try {
      onSignedIn(await login(String(f.get("email") ?? ""), String(f.get("password") ?? "")));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="card" onSubmit={submit}>
      <h1>Sign in</h1>
      <label>
        E-mail
        <input name="email" type="email" autocomplete="username" required />
      </label>
      <label>
        Password
        <input name="password" type="password" autocomplete="current-password" required />
      </label>
      {error && <p role="alert" class="error">{error}</p>}
      <button class="primary" disabled={busy}>
        Sign in
      </button>
      <p class="hint">On a shared device you are signed out after 15 minutes without use.</p>
    </form>
  );
}

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/app/sw.js", { scope: "/app/" }).catch(() => {});
}
render(<App />, root);
