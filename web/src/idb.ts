// The little IndexedDB the app keeps: the session (so the service worker can act on a
// notification's buttons), the time of the last touch or key (the idle rule on reopen), each
// user's outbox vault (vault.ts) and the outbox of contacts recorded offline, sealed. Shared
// by the page and the service worker.

import type { Sealed, Vault } from "./vault";

const DB = "fieldline";
const VERSION = 1;

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains("kv")) db.createObjectStore("kv");
      if (!db.objectStoreNames.contains("outbox")) db.createObjectStore("outbox", { keyPath: "id" });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx<T>(store: string, mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const t = db.transaction(store, mode);
      const req = f(t.objectStore(store));
      t.oncomplete = () => resolve(req.result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  } finally {
    db.close();
  }
}

export const kvGet = <T>(key: string) => tx<T | undefined>("kv", "readonly", (s) => s.get(key));
export const kvSet = (key: string, value: unknown) => tx("kv", "readwrite", (s) => s.put(value, key));
export const kvDelete = (key: string) => tx("kv", "readwrite", (s) => s.delete(key));

/** When the user last touched the page or pressed a key (ms since the epoch). */
export const lastActiveGet = () => kvGet<number>("last-active");
export const lastActiveSet = (t: number) => kvSet("last-active", t);

export const vaultGet = (user: string) => kvGet<Vault>(`vault:${user}`);
export const vaultSet = (user: string, v: Vault) => kvSet(`vault:${user}`, v);
export const vaultDelete = (user: string) => kvDelete(`vault:${user}`);

export interface Queued {
  /** A crisis contact (no kind, as queued before duress was), or a duress alert. */
  kind?: "duress";
  /** The contact's (or the duress alert's) id, chosen on the phone. */
  id: string;
  /** This save's own id, sent as Idempotency-Key: a replay of it is answered 200, while a
   *  later save of the same contact (an edit) has its own. */
  key: string;
  /** Whose vault sealed it: only they can open and send it. */
  user: string;
  /** The PUT /v1/contacts/{id} (or POST /v1/safety/duress) body, exactly as it will be sent
   *  (and resent), sealed. */
  sealed: Sealed;
  queuedAt: string;
  /** Set when the server refused it (a 4xx other than auth): kept for the advocate to fix. */
  error?: string;
  /** With `error`: the server's problems by field (JSON pointer and the server's message,
   *  which never quotes a value), shown at the form's fields. */
  problems?: { pointer: string; message: string }[];
}
export const outboxAll = () => tx<Queued[]>("outbox", "readonly", (s) => s.getAll());
export const outboxPut = (q: Queued) => tx("outbox", "readwrite", (s) => s.put(q));
export const outboxDelete = (id: string) => tx("outbox", "readwrite", (s) => s.delete(id));
export const outboxClear = () => tx("outbox", "readwrite", (s) => s.clear());
