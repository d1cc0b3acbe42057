// Problems with what was typed, in plain words and at the field they are about. The server
// answers a refused request with an RFC 9457 problem whose `errors` name each field by a JSON
// pointer ("/person/name") with a message; the app finds some problems itself first (a
// required field left empty, a number that is not one). Either way each problem is shown under
// its input, the input is marked (`aria-invalid`, `aria-describedby` to the message) and the
// first one is focused; a problem about no field on screen is listed with the form's summary.

import { useEffect, useRef, useState } from "preact/hooks";
import { Offline, Problem, type FieldError } from "./api";

/** Problems by the JSON pointer of their field. */
export type Problems = Record<string, string>;

/** What the server's types are called, in words. */
function typeWords(expected: string | undefined): string {
  const e = (expected ?? "").toLowerCase();
  if (/\b(f32|f64|float|floating)/.test(e)) return "must be a number";
  if (/\b([iu](8|16|32|64|128|size)|integer)\b/.test(e)) return "must be a whole number";
  if (/\bbool(ean)?\b/.test(e)) return "must be yes or no";
  if (/\b(sequence|list|array)\b/.test(e)) return "must be a list";
  if (/\buuid\b/.test(e)) return "is not a valid reference";
  if (/\b(date|time|rfc ?3339)/.test(e)) return "must be a date and time";
  if (/\bstring\b/.test(e)) return "must be text";
  if (/\bmap|struct|object\b/.test(e)) return "is not in the right form";
  return "is not in the right form";
}

/** A server message in plain words: "has the wrong type: expected f64" → "must be a number". */
export function plain(message: string): string {
  const m = message.trim().replace(/\.$/, "");
  let r: RegExpExecArray | null;
  if ((r = /^has the wrong type(?:: expected (.+))?$/.exec(m))) return typeWords(r[1]);
  if (/^is required$/.test(m)) return "must be filled in";
  if (/^is not one of the allowed values/.test(m)) return "is not one of the choices";
  if (/^has the wrong length/.test(m)) return "has the wrong number of items";
  if (/^is not a known field$/.test(m)) return "cannot be saved by this version of the app (reload it)";
  if (/^appears more than once$/.test(m)) return "was sent twice";
  if (/^has an invalid value$/.test(m)) return "is not valid";
  if ((r = /^must be (\d+) to (\d+) characters$/.exec(m))) {
    return Number(r[1]) <= 1 ? `must not be empty or longer than ${r[2]} characters` : `must be ${r[1]} to ${r[2]} characters long`;
  }
  if ((r = /^must be a reason of \d+ to (\d+) characters$/.exec(m))) return `needs a reason (at most ${r[1]} characters)`;
  if (/^must be a WGS 84 position$/.test(m)) return "must be a place on the map (latitude -90 to 90, longitude -180 to 180)";
  if (/^must be a code of lower-case letters/.test(m)) return "must be one word of lower-case letters, digits or _";
  // Our own "must …" sentences are plain already, but for the field names in them.
  return m.replace(/`([^`]+)`/g, "$1").replace(/\b([a-z]+(?:_[a-z0-9]+)+)\b/g, (s) => s.replace(/_/g, " "));
}

const lower = (s: string) => (s ? `${s[0].toLowerCase()}${s.slice(1)}` : s);

/** "must be a number" → "Must be a number." */
export const sentence = (s: string) => (s ? `${s[0].toUpperCase()}${s.slice(1)}${/[.?!]$/.test(s) ? "" : "."}` : s);

/** A pointer's last words, for a problem shown away from its field: "/location/latitude" →
 *  "Latitude", "/safe_places/1" → "Safe places, item 2". */
export function fieldWords(pointer: string): string {
  const segs = pointer.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  let i = segs.length - 1;
  while (i >= 0 && /^\d+$/.test(segs[i])) i--;
  const name = i >= 0 ? segs[i].replace(/_/g, " ") : "the form";
  const items = segs.slice(i + 1).map((s) => `item ${Number(s) + 1}`);
  const text = [name, ...items].join(", ");
  return text[0].toUpperCase() + text.slice(1);
}

/** A whole problem in plain words, for a line on screen (no field to put it under). */
export function errorText(e: unknown): string {
  if (e instanceof Offline) return "No connection. Try again when you are online.";
  if (e instanceof Problem) {
    if (e.errors.length) return e.errors.map((f) => sentence(`${fieldWords(f.pointer)}: ${plain(f.message)}`)).join(" ");
    const body = (typeof e.body === "object" && e.body !== null ? e.body : {}) as { title?: string; detail?: string };
    // A wrong password is the server's own words; an ended session is said plainly.
    if (e.status === 401) return body.title && !/^(Authentication required|Signed out)$/.test(body.title) ? sentence(body.title) : "You are signed out. Sign in again.";
    if (e.status === 429) return "Too many tries just now. Wait a moment and try again.";
    if (e.status >= 500) return "The server had a problem. Try again in a moment.";
    if (!e.fromServer) return `The network answered instead of the server (${e.status}). Sign in to the Wi-Fi, or try again.`;
    // The server's title is a sentence for people; its detail may be for programmers.
    const detail = body.detail && !/[`{}]|see `errors`/.test(body.detail) ? `: ${body.detail}` : "";
    return sentence(`${body.title ?? `Refused (${e.status})`}${detail}`);
  }
  return String(e instanceof Error ? e.message : e);
}

/** A problem's field errors by pointer, in plain words (empty when it has none). */
export function problemsOf(e: unknown): Problems {
  const out: Problems = {};
  const list: FieldError[] = e instanceof Problem ? e.errors : Array.isArray(e) ? (e as FieldError[]) : [];
  for (const f of list) out[f.pointer] = out[f.pointer] ? `${out[f.pointer]} ${sentence(plain(f.message))}` : sentence(plain(f.message));
  return out;
}

/** A number as typed on a phone: "40,2338" is a decimal comma; null when it is not a number. */
export function readNumber(text: string): number | null {
  const t = text.trim().replace(/\s+/g, "");
  if (t === "") return null;
  const n = Number(/^[-+]?\d+,\d+$/.test(t) ? t.replace(",", ".") : t);
  return Number.isFinite(n) ? n : null;
}

/** A whole number as typed; null when it is not one. */
export function readWhole(text: string): number | null {
  const t = text.trim();
  return /^\d+$/.test(t) ? Number(t) : null;
}

let ids = 0;

/**
 * A form's field problems. `pointers` are the fields on screen; a problem goes to the field
 * with the longest pointer it is at or under ("/location/latitude" to "/location/latitude",
 * "/safe_places/3" to "/safe_places", with "item 4" or, for one-per-line fields, "line 4").
 * Put `ref={f.form}` on the form, `{...f.field(ptr)}` on each input and `{f.message(ptr)}`
 * after it, and `{f.summary()}` by the form's buttons.
 */
export function useFieldErrors(pointers: string[], opts: { lines?: boolean } = {}) {
  const [problems, setProblems] = useState<Problems>({});
  const [shown, setShown] = useState(0);
  const form = useRef<HTMLFormElement>(null);
  const [prefix] = useState(() => `fe${++ids}`);

  // The first marked field, in the form's order, gets the focus (and so is scrolled to).
  useEffect(() => {
    if (!shown || !form.current) return;
    const first = form.current.querySelector<HTMLElement>('[aria-invalid="true"]');
    const target = first && !first.matches("input, select, textarea") ? first.querySelector<HTMLElement>("input, select, textarea") : first;
    target?.focus();
  }, [shown]);

  const owner = (p: string) =>
    pointers.filter((f) => p === f || p.startsWith(`${f}/`)).sort((a, b) => b.length - a.length)[0] as string | undefined;
  const at = (ptr: string): string[] =>
    Object.entries(problems)
      .filter(([p]) => owner(p) === ptr)
      .map(([p, m]) => {
        if (p === ptr) return m;
        const rest = p.slice(ptr.length + 1).split("/");
        const where = rest
          .map((s, i) => (/^\d+$/.test(s) ? `${opts.lines && i === 0 ? "line" : "item"} ${Number(s) + 1}` : s.replace(/_/g, " ")))
          .join(", ");
        return sentence(`${where[0].toUpperCase()}${where.slice(1)}: ${lower(m).replace(/\.$/, "")}`);
      });
  const idOf = (ptr: string) => `${prefix}${ptr.replace(/[^a-zA-Z0-9]+/g, "-")}`;
  const elsewhere = Object.entries(problems).filter(([p]) => !owner(p));

  /** Shows these problems (replacing any shown) and focuses the first marked field. */
  const show = (p: Problems) => {
    setProblems(p);
    if (Object.keys(p).length) setShown((n) => n + 1);
  };
  return {
    form,
    problems,
    show,
    /** Shows a refused request's field problems; whether it had any. */
    fromError(e: unknown): boolean {
      const p = problemsOf(e);
      show(p);
      return Object.keys(p).length > 0;
    },
    clear() {
      setProblems({});
    },
    count: () => Object.keys(problems).length,
    /** The attributes of the input for `ptr`. */
    field(ptr: string) {
      const bad = at(ptr).length > 0;
      return { "data-pointer": ptr, "aria-invalid": bad ? ("true" as const) : undefined, "aria-describedby": bad ? idOf(ptr) : undefined };
    },
    /** The problem under the field for `ptr`, if any. */
    message(ptr: string) {
      const here = at(ptr);
      return here.length ? (
        // Read out as the field's description, not again as part of its label's name.
        <span class="error field-error" id={idOf(ptr)} data-error-for={ptr} aria-hidden="true">
          {here.join(" ")}
        </span>
      ) : null;
    },
    /** "Not saved: fix the field marked above", and the problems about no field on screen. */
    summary(what = "Not saved") {
      const n = Object.keys(problems).length;
      if (!n) return null;
      const marked = n - elsewhere.length;
      return (
        <div class="error" role="alert" data-test="form-problems">
          <p>
            {what}:{" "}
            {marked > 0 ? `fix the ${marked === 1 ? "field" : `${marked} fields`} marked above.` : "fix what is listed here."}
          </p>
          {elsewhere.length > 0 && (
            <ul>
              {elsewhere.map(([p, m]) => (
                <li key={p}>{sentence(`${fieldWords(p)}: ${lower(m).replace(/\.$/, "")}`)}</li>
              ))}
            </ul>
          )}
        </div>
      );
    },
  };
}
export type FieldErrors = ReturnType<typeof useFieldErrors>;
