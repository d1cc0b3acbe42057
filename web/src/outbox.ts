// The outbox: what the phone has to send, kept in IndexedDB and sealed (vault.ts) until the
// server has it. Crisis contacts go in first and are sent from there
// (`PUT /v1/contacts/{id}` with the save's own Idempotency-Key); a duress alert that could not
// be sent at once (no signal, a portal, a busy server) waits here too, and goes first
// (`POST /v1/safety/duress`, idempotent by the id the phone chose, so a replay raises it once).
// Only the server's own refusal (a 4xx problem) stops an item; any other failure is tried
// again with backoff (backoff.ts), and the screens say why it is not sent yet and when the
// next try is.

import { useEffect, useState } from "preact/hooks";
import { Problem, call, uuid, type Schema } from "./api";
import { outboxAll, outboxDelete, outboxPut, vaultGet, vaultSet, type Queued } from "./idb";
import { freshSession, loadSession } from "./session";
import { hasDeviceKey, newVault, open, seal, unlock, type Vault } from "./vault";
import { parseRetryAfter, retryDelay } from "./backoff";
import { errorText } from "./fielderrors";

type Contact = Schema<"Contact">;

type Listener = () => void;
const listeners = new Set<Listener>();

/** The associated data a queued item is sealed with: it cannot be moved to another item, nor
 *  a contact be taken for a duress alert. */
const aad = (q: { id: string; key: string; kind?: Queued["kind"] }) => `${q.kind ?? "contact"} ${q.id} ${q.key}`;

/** Tells whoever listens (the outbox line, a form waiting for its result, the duress sheet)
 *  that the outbox changed; returns how to stop listening. */
export function onOutboxChange(l: Listener): () => void {
  listeners.add(l);
  return () => void listeners.delete(l);
}

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
export async function enqueue(id: string, body: unknown, kind?: Queued["kind"]): Promise<string | null> {
  const s = await loadSession();
  if (!s) return "Signed out.";
  const vault = await vaultGet(s.user.id);
  if (!vault) return "Not saved: this phone cannot keep contacts until you have been online once since signing in.";
  const item = { id, key: uuid(), user: s.user.id, kind };
  await outboxPut({ ...item, sealed: await seal(vault, body, aad(item)), queuedAt: new Date().toISOString() });
  return null;
}

/** The signed-in user's queued items. */
export async function mine(): Promise<Queued[]> {
  const s = await loadSession();
  return s ? (await outboxAll()).filter((q) => q.user === s.user.id) : [];
}

/** Why the outbox could not deliver, in the plain words its line shows (nothing personal). */
export type NotSent = "offline" | "unreachable" | "portal" | "busy";
export const NOT_SENT: Record<NotSent, string> = {
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
  // Duress first, then oldest first.
  const items = (await mine())
    .filter((q) => !q.error)
    .sort((a, b) => Number(b.kind === "duress") - Number(a.kind === "duress") || a.queuedAt.localeCompare(b.queuedAt));
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
      await outboxPut({ ...q, error: `This ${q.kind === "duress" ? "duress alert" : "contact"} could not be read on this phone.` });
      continue;
    }
    try {
      if (q.kind === "duress") {
        const r = await call<unknown>("POST", "/v1/safety/duress", body, {}, deadline(PUT_TIMEOUT_MS));
        // Only the server's 202 means it is raised (a portal answers 200 with its own page);
        // sent again later, the same id raises nothing twice.
        if (r.status !== 202) return { reason: "portal", retryAfterMs: null };
        await outboxDelete(q.id);
        continue;
      }
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
      // Kept for the advocate to fix, with the server's field problems (pointers and the
      // server's messages, which never quote what was typed).
      await outboxPut({ ...q, error: errorText(e), problems: e.errors });
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
/** The server's answer to the last save of contact `id` sent from here, if any. */
export const lastResult = (id: string) => lastResults.get(id);
/** Where the automatic retries stand (null: none pending). */
export const currentRetry = () => retry;

/** The user's queued items, where the retries stand and whether a send is under way. */
export function useOutbox(): { items: Queued[]; retry: Retry | null; sending: boolean } {
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

