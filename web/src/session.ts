// Tokens: kept in IndexedDB (the service worker needs them for the notification buttons) and
// refreshed by whoever needs them first. Each refresh replaces the refresh token, so the page
// and the worker always re-read the stored session before refreshing.

import type { components } from "./api-types";
import { kvDelete, kvGet, kvSet } from "./idb";

// A web session's token answers carry the user's device key (vault.ts). The page takes it
// into memory; it is never part of the stored session.
let onDeviceKey: (key: string) => Promise<void> = async () => {};
export function setDeviceKeyHandler(f: (key: string) => Promise<void>) {
  onDeviceKey = f;
}

export type Me = components["schemas"]["Me"];
type TokenResponse = components["schemas"]["TokenResponse"];

export interface Session {
  access_token: string;
  /** ms since the epoch. */
  access_expires_at: number;
  refresh_token: string;
  user: Me;
}

const KEY = "session";

export const loadSession = () => kvGet<Session>(KEY);
export const clearSession = () => kvDelete(KEY);

export function fromTokenResponse(t: TokenResponse): Session {
  return {
    access_token: t.access_token,
    access_expires_at: Date.now() + (t.expires_in - 30) * 1000,
    refresh_token: t.refresh_token,
    user: t.user,
  };
}

export async function saveSession(s: Session) {
  await kvSet(KEY, s);
}

let refreshing: Promise<Session | undefined> | null = null;

/** A session with a valid access token, refreshing it if needed; undefined if signed out. */
export async function freshSession(force = false): Promise<Session | undefined> {
  const s = await loadSession();
  if (!s) return undefined;
  if (!force && s.access_expires_at > Date.now()) return s;
  if (!refreshing) {
    refreshing = (async () => {
      try {
        const res = await fetch("/v1/auth/refresh", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ refresh_token: s.refresh_token }),
        });
        if (res.status === 401) {
          await clearSession();
          return undefined;
        }
        if (!res.ok) throw new Error(`refresh: ${res.status}`);
        const body: TokenResponse = await res.json();
        const next = fromTokenResponse(body);
        await saveSession(next);
        if (body.device_key) await onDeviceKey(body.device_key);
        return next;
      } finally {
        refreshing = null;
      }
    })();
  }
  return refreshing;
}
