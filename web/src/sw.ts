// The service worker: keeps the app shell for offline use (never API answers), shows a
// notification per push with a tag per alert (a repeat replaces rather than stacks, and no
// personal data: the payload has none), and acts on the notification's buttons with the
// stored session.

import { freshSession } from "./session";

declare const SHELL: string[];
/** Files fetched on first use (the place search and its gazetteer), kept across updates. */
declare const LAZY: string[];
declare const VERSION: string;
const sw = self as any;
const CACHE = `fieldline-shell-${VERSION}`;
const LAZY_CACHE = "fieldline-on-use";

sw.addEventListener("install", (event: any) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((c) => c.addAll(SHELL))
      .then(() => sw.skipWaiting()),
  );
});

sw.addEventListener("activate", (event: any) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE && k !== LAZY_CACHE).map((k) => caches.delete(k))))
      .then(refreshLazy)
      .then(() => sw.clients.claim()),
  );
});

/** Drops on-use files an update replaced; if this phone used them, fetches the new ones now,
 *  while there is signal, so the place search keeps working without it. */
async function refreshLazy() {
  const cache = await caches.open(LAZY_CACHE);
  const held = (await cache.keys()).map((r) => new URL(r.url).pathname);
  const stale = held.filter((p) => !LAZY.includes(p));
  await Promise.all(stale.map((p) => cache.delete(p)));
  if (held.length === 0) return;
  await cache.addAll(LAZY.filter((p) => !held.includes(p))).catch(() => {});
}

sw.addEventListener("fetch", (event: any) => {
  const req: Request = event.request;
  const url = new URL(req.url);
  // Only the app's own files; API calls always go to the network.
  if (req.method !== "GET" || url.origin !== location.origin || !url.pathname.startsWith("/app/")) return;
  if (req.mode === "navigate") {
    event.respondWith(fetch(req).catch(async () => (await caches.match("/app/")) ?? Response.error()));
    return;
  }
  event.respondWith(
    caches.match(req).then(
      (hit) =>
        hit ??
        fetch(req).then((res) => {
          if (res.ok && url.pathname.startsWith("/app/assets/")) {
            const copy = res.clone();
            caches.open(LAZY.includes(url.pathname) ? LAZY_CACHE : CACHE).then((c) => c.put(req, copy));
          }
          return res;
        }),
    ),
  );
});

interface PushData {
  type?: string;
  alert_id?: string;
  id?: string;
  kind?: string;
  urgency?: string;
  title?: string;
  body?: string;
}

sw.addEventListener("push", (event: any) => {
  let data: PushData = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = {};
  }
  const alertId = data.type === "alert" ? data.alert_id : undefined;
  const options: any = {
    // The server's generic line only: nothing about the victim or the place.
    body: data.body || "Open Fieldline",
    tag: alertId ? `alert-${alertId}` : `fieldline-${data.type ?? "message"}`,
    renotify: true,
    requireInteraction: data.urgency === "high",
    icon: "/app/icons/icon-192.png",
    badge: "/app/icons/badge-96.png",
    data: { alert_id: alertId },
    actions: alertId
      ? [
          { action: "acknowledge", title: "Acknowledge" },
          { action: "resolve", title: "Resolve" },
        ]
      : [],
  };
  event.waitUntil(sw.registration.showNotification(data.title || "Fieldline", options));
});

async function act(alertId: string, action: string): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const s = await freshSession(attempt > 0);
    if (!s) return false;
    const res = await fetch(`/v1/alerts/${alertId}/${action}`, {
      method: "POST",
      headers: { authorization: `Bearer ${s.access_token}` },
    });
    if (res.status === 401) continue;
    // 409: someone else already acted; the alert is handled either way.
    return res.ok || res.status === 409;
  }
  return false;
}

async function openApp(alertId?: string) {
  const all = await sw.clients.matchAll({ type: "window", includeUncontrolled: true });
  const client = all.find((c: any) => new URL(c.url).pathname.startsWith("/app/"));
  // A browser may refuse to focus (no user gesture): the open app still gets the message.
  const target = client ? await client.focus().catch(() => client) : await sw.clients.openWindow("/app/");
  // The alert's id goes by message, not in the URL.
  if (target && alertId) target.postMessage({ type: "open-alert", id: alertId });
}

function onNotificationClick(event: any) {
  const n = event.notification;
  const alertId: string | undefined = n.data?.alert_id;
  n.close();
  if (alertId && (event.action === "acknowledge" || event.action === "resolve")) {
    event.waitUntil(
      act(alertId, event.action).then(async (ok) => {
        if (!ok) {
          // Signed out or failed: open the app so the coordinator can act there.
          await openApp(alertId);
        }
      }),
    );
    return;
  }
  event.waitUntil(openApp(alertId));
}
sw.addEventListener("notificationclick", onNotificationClick);
// DevTools cannot press a notification's button, so the browser tests call the handler.
sw.fieldlineNotificationClick = onNotificationClick;
