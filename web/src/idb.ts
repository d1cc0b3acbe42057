// The little IndexedDB the app keeps: the session (so the service worker can act on a
// notification's buttons) and the outbox of contacts recorded offline. Shared by the page and
// the service worker.

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

export interface Queued {
  id: string;
  /** The PUT /v1/contacts/{id} body, exactly as it will be sent (and resent). */
  body: unknown;
  queuedAt: string;
  /** Set when the server refused it (a 4xx other than auth): kept for the advocate to fix. */
  error?: string;
}
export const outboxAll = () => tx<Queued[]>("outbox", "readonly", (s) => s.getAll());
export const outboxPut = (q: Queued) => tx("outbox", "readwrite", (s) => s.put(q));
export const outboxDelete = (id: string) => tx("outbox", "readwrite", (s) => s.delete(id));
export const outboxClear = () => tx("outbox", "readwrite", (s) => s.clear());
