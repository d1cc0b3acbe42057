// When the outbox tries again after a failed attempt (issue #18). Pure functions: no clock,
// no randomness of their own, so they say the same for the same inputs and the caller (the
// outbox in screens/contact.tsx) decides what "now" and the dice are.

/** How the wait grows. */
export interface Backoff {
  /** The wait after the first failure. */
  baseMs: number;
  /** No wait is longer than this (however many failures, with jitter included). */
  capMs: number;
  /** How far a wait strays from its nominal value either way, as a fraction (0.25: ±25 %). */
  jitter: number;
  /** The longest server's `Retry-After` honoured as it stands; a longer one counts as this
   *  (a misconfigured proxy must not park contacts for a day). */
  retryAfterCapMs: number;
}

/** The outbox's: about 2 s, 4 s, 8 s … then every 5 minutes or so; `Retry-After` up to an hour. */
export const OUTBOX_BACKOFF: Backoff = {
  baseMs: 2_000,
  capMs: 5 * 60_000,
  jitter: 0.25,
  retryAfterCapMs: 60 * 60_000,
};

/**
 * The wait before the next automatic attempt, in ms.
 *
 * - `failures`: consecutive failed attempts so far, the one just made included (1 after the
 *   first). The nominal wait is `baseMs · 2^(failures − 1)`, at most `capMs`.
 * - `random`: a number in [0, 1) (`Math.random()`): spreads the wait over nominal ± `jitter`,
 *   so phones that lost the same network, or met the same busy server, do not all come back
 *   at the same instant. Still never above `capMs`.
 * - `retryAfterMs`: the server's `Retry-After`, when its answer had one (see
 *   `parseRetryAfter`): no attempt before it (up to `retryAfterCapMs`), plus up to `jitter` of
 *   it for the same reason as above.
 */
export function retryDelay(failures: number, random: number, retryAfterMs: number | null = null, p: Backoff = OUTBOX_BACKOFF): number {
  const r = Math.min(Math.max(random, 0), 1);
  const n = Math.max(1, Math.floor(failures));
  // 2^30 · base is far past any cap; stop doubling before the number gets silly.
  const nominal = Math.min(p.capMs, p.baseMs * 2 ** Math.min(n - 1, 30));
  const spread = 1 - p.jitter + 2 * p.jitter * r;
  const wait = Math.min(p.capMs, Math.round(nominal * spread));
  if (retryAfterMs === null || !(retryAfterMs > 0)) return wait;
  const asked = Math.min(retryAfterMs, p.retryAfterCapMs);
  return Math.max(wait, Math.round(asked * (1 + p.jitter * r)));
}

/**
 * A `Retry-After` header in ms from `nowMs`: delay-seconds (`120`) or an HTTP date
 * (`Wed, 21 Oct 2015 07:28:00 GMT`). Null when absent or unreadable; 0 for a date passed.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | null {
  const v = value?.trim();
  if (!v) return null;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/** "next try in …" for a wait of `ms`: coarse on purpose, it is only a hint. */
export function inAbout(ms: number): string {
  const s = Math.ceil(ms / 1000);
  if (s <= 5) return "a few seconds";
  if (s < 55) return `about ${Math.round(s / 5) * 5} s`;
  if (s < 90) return "about a minute";
  return `about ${Math.round(s / 60)} min`;
}
