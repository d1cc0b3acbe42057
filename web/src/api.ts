// Calls to the Fieldline API with the stored session. Errors are RFC 9457 problems. The types
// of what goes over the wire are generated from the server's OpenAPI document (api-types.ts).

import type { components } from "./api-types";
import { freshSession } from "./session";

/** A schema of the server's OpenAPI document, e.g. `Schema<"Alert">`. */
export type Schema<K extends keyof components["schemas"]> = components["schemas"][K];
export type FieldError = Schema<"FieldError">;

/** The answer as a problem document, if it looks like one (a portal's page does not). */
function asProblem(body: unknown): Partial<Schema<"Problem">> | null {
  return typeof body === "object" && body !== null ? (body as Partial<Schema<"Problem">>) : null;
}

export class Problem extends Error {
  constructor(
    public status: number,
    /** The answer: a problem document from the server, or whatever a portal or proxy sent. */
    public body: unknown,
    /** The answer's headers, when there was an answer (`Retry-After`, `Content-Type`). */
    public headers?: Headers,
  ) {
    super(asProblem(body)?.detail || asProblem(body)?.title || `HTTP ${status}`);
  }
  get errors(): FieldError[] {
    const errors = asProblem(this.body)?.errors;
    return Array.isArray(errors) ? errors : [];
  }
  /** Whether the server itself said this: a problem document (RFC 9457, JSON with a title).
   *  A portal's, proxy's or load balancer's error page is not one, and says nothing about
   *  the request. */
  get fromServer(): boolean {
    const type = this.headers?.get("content-type")?.split(";")[0].trim().toLowerCase() ?? "";
    const json = type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
    return json && typeof asProblem(this.body)?.title === "string";
  }
}

/** No network: the request never reached the server. */
export class Offline extends Error {}

export interface Reply<T> {
  status: number;
  body: T;
  headers: Headers;
}

let onSignedOut: () => void = () => {};
export function setSignedOutHandler(f: () => void) {
  onSignedOut = f;
}

export async function call<T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  /** Gives up (as Offline) when this aborts: a request the network swallows. */
  signal?: AbortSignal,
): Promise<Reply<T>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    let session;
    try {
      session = await freshSession(attempt > 0);
    } catch {
      throw new Offline("offline");
    }
    if (!session) {
      onSignedOut();
      throw new Problem(401, { title: "Signed out" });
    }
    const h: Record<string, string> = { authorization: `Bearer ${session.access_token}`, ...headers };
    let payload: BodyInit | undefined;
    if (body instanceof Blob || typeof body === "string") {
      payload = body;
    } else if (body !== undefined) {
      h["content-type"] = "application/json";
      payload = JSON.stringify(body);
    }
    let res: Response;
    try {
      res = await fetch(path, { method, headers: h, body: payload, cache: "no-store", signal });
    } catch {
      throw new Offline("offline");
    }
    if (res.status === 401 && attempt === 0) continue;
    let text: string;
    try {
      text = await res.text();
    } catch {
      // Cut short or timed out half way: the answer never arrived (the server may have acted).
      throw new Offline("offline");
    }
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    if (res.status === 401) onSignedOut();
    if (!res.ok) throw new Problem(res.status, parsed, res.headers);
    return { status: res.status, body: parsed as T, headers: res.headers };
  }
  throw new Problem(401, { title: "Signed out" });
}

/** A document that is not JSON (a plan's export), as text, with the stored session. */
export async function getText(path: string): Promise<string> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const session = await freshSession(attempt > 0).catch(() => {
      throw new Offline("offline");
    });
    if (!session) {
      onSignedOut();
      throw new Problem(401, { title: "Signed out" });
    }
    const res = await fetch(path, { headers: { authorization: `Bearer ${session.access_token}` }, cache: "no-store" }).catch(() => {
      throw new Offline("offline");
    });
    if (res.status === 401 && attempt === 0) continue;
    if (!res.ok) throw new Problem(res.status, await res.json().catch(() => null), res.headers);
    return res.text();
  }
  throw new Problem(401, { title: "Signed out" });
}

export const get = <T>(path: string) => call<T>("GET", path).then((r) => r.body);

export function uuid(): string {
  return crypto.randomUUID();
}

export const label = (s: string) => s.replace(/_/g, " ");
