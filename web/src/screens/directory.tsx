// Housing staff: the directory as a table, one-tap availability, create/edit with the version
// check, and bulk import with each bad row's error shown against its line.

import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { Problem, call, get, getText, label, type FieldError, type Schema } from "../api";
import { errorText, readNumber, readWhole, useFieldErrors, type Problems } from "../fielderrors";
import { When } from "../time";
import type { Me } from "../session";

export const KINDS: Schema<"EntryKind">[] = ["shelter", "dv_shelter", "safe_house", "emergency_housing", "transitional_housing", "hotel_voucher"];
export const STATUSES: Schema<"EntryStatus">[] = ["open", "full", "temporarily_closed", "closed"];

export type Entry = Schema<"Entry">;
/** A list as the server gives it, with its stale threshold (FIELDLINE_DIRECTORY_STALE_HOURS). */
export type EntryList = Schema<"EntryList">;
/** One page of the agency's own places (`GET /v1/directory/entries`), by name. */
type EntryPage = Schema<"EntryPage">;
/** What the editor holds: an `EntryInput` whose address fields are all there and whose
 *  location may be missing (an entry read without it). */
type Draft = Omit<Schema<"EntryInput">, "location" | "address" | "eligibility"> & {
  location: Schema<"Coordinates"> | null;
  address: Required<Schema<"Address">>;
  eligibility: Schema<"Eligibility">;
};

/** A list's stale threshold in seconds; an older server that does not say uses 24 hours. */
export const staleAfterOf = (l: { stale_after_s?: number }) => l.stale_after_s ?? 24 * 3600;

/** A small first page shows the table at once on a slow network; larger ones fill it in. */
const FIRST_PAGE = 25;
const NEXT_PAGES = 500;

export const hours = (s: number) => (s % 3600 === 0 ? `${s / 3600} h` : `${Math.round(s / 60)} min`);

/** Stale as the server's `/v1/directory/stale` has it: not closed, and availability older
 *  than `afterS` seconds (the server's threshold) or never given. */
export const isStale = (e: Entry, afterS: number) =>
  e.status !== "closed" &&
  (!e.availability_updated_at || (Date.now() - Date.parse(e.availability_updated_at)) / 1000 > afterS);

export function Directory({ me }: { me: Me }) {
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [staleAfter, setStaleAfter] = useState(Infinity);
  const [error, setError] = useState("");
  const [q, setQ] = useState("");
  const [kind, setKind] = useState("");
  const [status, setStatus] = useState("");
  const [staleOnly, setStaleOnly] = useState(false);
  const [editing, setEditing] = useState<Entry | "new" | null>(null);
  const [importing, setImporting] = useState(false);
  const manager = me.roles.includes("housing_manager");

  const [loading, setLoading] = useState(false);
  // Each load walks every page of the agency's places; a newer load (or leaving the screen)
  // stops an older walk.
  const walk = useRef(0);
  const load = async () => {
    const mine = ++walk.current;
    setLoading(true);
    setError("");
    let after: string | undefined;
    try {
      do {
        const limit = after ? NEXT_PAGES : FIRST_PAGE;
        const r = await get<EntryPage>(`/v1/directory/entries?limit=${limit}${after ? `&after=${encodeURIComponent(after)}` : ""}`);
        if (walk.current !== mine) return;
        const first = !after;
        setStaleAfter(staleAfterOf(r));
        // Appended to what is shown, so an availability change made meanwhile is kept.
        setEntries((shown) => (first ? r.entries : [...(shown ?? []), ...r.entries]));
        after = r.next_after ?? undefined;
      } while (after);
    } catch (e) {
      if (walk.current === mine) setError(errorText(e));
    } finally {
      if (walk.current === mine) setLoading(false);
    }
  };
  useEffect(() => {
    load();
    return () => void walk.current++;
  }, []);

  const shown = useMemo(() => {
    const needle = q.trim().toLowerCase();
    return (entries ?? []).filter(
      (e) =>
        (!needle || `${e.name} ${e.organization} ${e.address.locality}`.toLowerCase().includes(needle)) &&
        (!kind || e.kind === kind) &&
        (!status || e.status === status) &&
        (!staleOnly || isStale(e, staleAfter)),
    );
  }, [entries, q, kind, status, staleOnly, staleAfter]);

  /** Shows `e` as the server now has it: in its place, or first when the list lacks it. */
  const replace = (e: Entry) =>
    setEntries((all) => (all?.some((x) => x.id === e.id) ? all.map((x) => (x.id === e.id ? e : x)) : [e, ...(all ?? [])]));

  if (editing)
    return (
      <EntryEditor
        me={me}
        entry={editing === "new" ? null : editing}
        onDone={(saved) => {
          setEditing(null);
          if (!saved) return;
          // The saved place shows at once, at its new version, so editing it again never
          // starts from the one before (a conflict with oneself); the walk then refreshes all.
          replace(saved);
          load();
        }}
      />
    );
  if (importing) return <Import onDone={() => (setImporting(false), load())} />;

  return (
    <section>
      <h1>Directory</h1>
      {manager && (
        <div class="actions">
          <button onClick={() => setEditing("new")}>Add a place</button>
          <button onClick={() => setImporting(true)}>Import CSV / HSDS</button>
          <button onClick={() => exportCsv().catch((e) => setError(errorText(e)))}>Export CSV</button>
        </div>
      )}
      <div class="filters">
        <label>
          Search
          <input type="search" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Kind
          <select value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)}>
            <option value="">any</option>
            {KINDS.map((k) => (
              <option value={k}>{label(k)}</option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}>
            <option value="">any</option>
            {STATUSES.map((k) => (
              <option value={k}>{label(k)}</option>
            ))}
          </select>
        </label>
        <label class="check">
          <input type="checkbox" checked={staleOnly} onChange={(e) => setStaleOnly((e.target as HTMLInputElement).checked)} />
          Stale only{Number.isFinite(staleAfter) && ` (not updated for ${hours(staleAfter)})`}
        </label>
      </div>
      {error && <p class="error">{error}</p>}
      <p class="muted" data-test="count" aria-live="polite">
        {entries ? `${shown.length} of ${entries.length} places${loading ? " (loading more…)" : ""}` : "Loading…"}
      </p>
      <div class="table-wrap">
        <table class="directory">
          <thead>
            <tr>
              <th scope="col">Place</th>
              <th scope="col">Status</th>
              <th scope="col">Beds</th>
              <th scope="col">Updated</th>
              <th scope="col">
                <span class="sr">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((e) => (
              <Row
                key={e.id}
                entry={e}
                stale={isStale(e, staleAfter)}
                // The list holds the agency's own places; admins see them read-only.
                manager={manager && e.owner_agency_id === me.agency.id}
                onSaved={replace}
                onEdit={e.redacted ? undefined : () => setEditing(e)}
              />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Row({
  entry: e,
  stale,
  manager,
  onSaved,
  onEdit,
}: {
  entry: Entry;
  stale: boolean;
  manager: boolean;
  onSaved: (e: Entry) => void;
  onEdit?: () => void;
}) {
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  async function set(change: Schema<"AvailabilityUpdate">) {
    setBusy(true);
    try {
      onSaved((await call<Entry>("PATCH", `/v1/directory/entries/${e.id}/availability`, change)).body);
      setError("");
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }
  const beds = e.beds_available;
  return (
    <tr data-entry={e.name}>
      <th scope="row">
        {e.name}
        {e.confidential && <span class="badge confidential" title="Confidential location: never share the address">confidential</span>}
        <div class="muted">
          {label(e.kind)} · {e.address.locality}
        </div>
        {error && <div class="error" role="alert">{error}</div>}
      </th>
      <td>
        {manager ? (
          <select
            aria-label={`Status of ${e.name}`}
            value={e.status}
            disabled={busy}
            onChange={(ev) => set({ beds_available: beds, status: (ev.target as HTMLSelectElement).value as Schema<"EntryStatus"> })}
          >
            {STATUSES.map((s) => (
              <option value={s}>{label(s)}</option>
            ))}
          </select>
        ) : (
          label(e.status)
        )}
      </td>
      <td class="beds">
        {manager && (
          <button aria-label={`One bed fewer at ${e.name}`} disabled={busy || !beds} onClick={() => set({ beds_available: (beds ?? 0) - 1 })}>
            −
          </button>
        )}
        <span data-test="beds">{beds ?? "?"}</span>
        <span class="muted">{e.capacity != null ? ` free of ${e.capacity}` : " free"}</span>
        {manager && (
          <button
            aria-label={`One bed more at ${e.name}`}
            disabled={busy || (e.capacity != null && (beds ?? 0) >= e.capacity)}
            onClick={() => set({ beds_available: (beds ?? 0) + 1 })}
          >
            +
          </button>
        )}
      </td>
      <td>
        <span data-test="updated">
          <When iso={e.availability_updated_at} />
        </span>
        {stale && <span class="badge stale">stale</span>}
        {manager && stale && (
          <button class="link" disabled={busy} onClick={() => set({ beds_available: beds })}>
            Still correct
          </button>
        )}
      </td>
      <td>
        {manager && onEdit && (
          <button class="link" onClick={onEdit}>
            Edit
          </button>
        )}
      </td>
    </tr>
  );
}

/** The writable fields of an entry (EntryInput). */
function toInput(e: Entry): Draft {
  const a = e.address;
  return {
    name: e.name,
    kind: e.kind,
    organization: e.organization,
    description: e.description,
    location: e.location ?? null,
    address: { street: a.street ?? "", locality: a.locality ?? "", region: a.region ?? "", postal_code: a.postal_code ?? "", country: a.country ?? "" },
    service_area: e.service_area,
    intake_phone: e.intake_phone,
    website: e.website,
    hours: e.hours,
    eligibility: e.eligibility,
    capacity: e.capacity,
    beds_available: e.beds_available,
    status: e.status,
    confidential: e.confidential,
    shared: e.shared,
    external_id: e.external_id,
  };
}

const COMPARED: [string, (i: Draft) => string][] = [
  ["Name", (i) => i.name],
  ["Kind", (i) => label(i.kind)],
  ["Status", (i) => label(i.status)],
  ["Beds", (i) => `${i.beds_available ?? "?"} / ${i.capacity ?? "?"}`],
  ["Intake phone", (i) => i.intake_phone],
  ["Locality", (i) => i.address.locality],
  ["Street", (i) => i.address.street],
  ["Confidential", (i) => (i.confidential ? "yes" : "no")],
];

/** The editor's numbers as text, to be typed over. */
function rawOf(i: Draft): Record<string, string> {
  const t = (n: number | null | undefined) => (n == null ? "" : String(n));
  return {
    latitude: t(i.location?.latitude),
    longitude: t(i.location?.longitude),
    capacity: t(i.capacity),
    beds_available: t(i.beds_available),
    min_age: t(i.eligibility.min_age),
    max_age: t(i.eligibility.max_age),
    languages: (i.eligibility.languages ?? []).join(", "),
  };
}

function EntryEditor({ me, entry, onDone }: { me: Me; entry: Entry | null; onDone: (saved: Entry | null) => void }) {
  const blank: Draft = {
    name: "",
    kind: "shelter",
    organization: "",
    description: "",
    location: { latitude: 0, longitude: 0 },
    address: { street: "", locality: "", region: "", postal_code: "", country: "US" },
    service_area: "",
    intake_phone: "",
    website: null,
    hours: { time_zone: me.agency.time_zone, open_24_7: true, spans: [] },
    eligibility: {},
    capacity: null,
    beds_available: null,
    status: "open",
    confidential: false,
    shared: true,
    external_id: null,
  };
  const [input, setInput] = useState<Draft>(entry ? toInput(entry) : blank);
  const [version, setVersion] = useState(entry?.version ?? 0);
  const [conflict, setConflict] = useState<Entry | null>(null);
  const [error, setError] = useState("");
  const upd = (f: (i: Draft) => void) => setInput((old) => {
    const next = structuredClone(old);
    f(next);
    return next;
  });

  // Numbers as typed (a comma decimal, a half-typed value), read when saving.
  const [raw, setRaw] = useState<Record<string, string>>(() => rawOf(entry ? toInput(entry) : blank));
  /** Problems at their fields (the server's by its pointers, or found here first). */
  const fe = useFieldErrors([
    "/name",
    "/kind",
    "/status",
    "/capacity",
    "/beds_available",
    "/intake_phone",
    "/address",
    "/location",
    "/location/latitude",
    "/location/longitude",
    "/eligibility",
    "/eligibility/min_age",
    "/eligibility/max_age",
    "/eligibility/languages",
    "/hours",
  ]);
  const rawInput = (k: string) => ({
    value: raw[k],
    onInput: (ev: Event) => setRaw((r) => ({ ...r, [k]: (ev.target as HTMLInputElement).value })),
  });

  /** The draft with its numbers read, or the problems with them, by pointer. */
  function read(): { body: Draft } | { errors: Problems } {
    const errors: Problems = {};
    const decimal = (k: string, ptr: string) => {
      // "40,2338" is a decimal comma, not two numbers; never NaN.
      const n = readNumber(raw[k]);
      if (n === null) errors[ptr] = "Must be a number, such as 40.2338.";
      return n ?? 0;
    };
    const whole = (k: string, ptr: string) => {
      if (raw[k].trim() === "") return null;
      const n = readWhole(raw[k]);
      if (n === null) errors[ptr] = "Must be a whole number, or empty.";
      return n;
    };
    const body = structuredClone(input);
    body.location = { latitude: decimal("latitude", "/location/latitude"), longitude: decimal("longitude", "/location/longitude") };
    body.capacity = whole("capacity", "/capacity");
    body.beds_available = whole("beds_available", "/beds_available");
    body.eligibility = {
      ...body.eligibility,
      min_age: whole("min_age", "/eligibility/min_age"),
      max_age: whole("max_age", "/eligibility/max_age"),
      languages: raw.languages
        .split(/[,\s]+/)
        .map((l) => l.trim().toLowerCase())
        .filter(Boolean),
    };
    if (!body.name.trim()) errors["/name"] = "Give the place a name.";
    if (!body.intake_phone.trim()) errors["/intake_phone"] = "Give the number intake answers.";
    return Object.keys(errors).length ? { errors } : { body };
  }

  async function save(e?: Event, baseVersion = version) {
    e?.preventDefault();
    setError("");
    const r = read();
    fe.show("errors" in r ? r.errors : {});
    if ("errors" in r) return;
    try {
      const saved = entry
        ? await call<Entry>("PUT", `/v1/directory/entries/${entry.id}`, r.body, { "if-match": `"${baseVersion}"` })
        : await call<Entry>("POST", "/v1/directory/entries", r.body);
      onDone(saved.body);
    } catch (err) {
      if (err instanceof Problem && err.status === 412 && entry) {
        setConflict(await get<Entry>(`/v1/directory/entries/${entry.id}`));
      } else if (!fe.fromError(err)) setError(errorText(err));
    }
  }

  const text = (f: (i: Draft, v: string) => void) => (ev: Event) => upd((i) => f(i, (ev.target as HTMLInputElement).value));
  const spans = input.hours.spans ?? [];
  const checkEligibility = (k: "accepts_children" | "accepts_pets" | "wheelchair_accessible", l: string) => (
    <label class="check">
      <input type="checkbox" checked={!!input.eligibility[k]} onChange={(ev) => upd((i) => (i.eligibility[k] = (ev.target as HTMLInputElement).checked))} /> {l}
    </label>
  );

  if (conflict)
    return (
      <section>
        <h1>Someone else changed this place</h1>
        <p>Your changes were not saved. Compare and choose:</p>
        <table class="compare">
          <thead>
            <tr>
              <th scope="col"></th>
              <th scope="col">Yours</th>
              <th scope="col">Saved now (version {conflict.version})</th>
            </tr>
          </thead>
          <tbody>
            {COMPARED.map(([name, f]) => (
              <tr class={f(input) !== f(toInput(conflict)) ? "differs" : ""}>
                <th scope="row">{name}</th>
                <td>{f(input)}</td>
                <td>{f(toInput(conflict))}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div class="actions">
          <button class="primary" onClick={() => (setConflict(null), setVersion(conflict.version), save(undefined, conflict.version))}>
            Save mine over it
          </button>
          <button onClick={() => (setInput(toInput(conflict)), setRaw(rawOf(toInput(conflict))), setVersion(conflict.version), setConflict(null))}>
            Start from theirs
          </button>
        </div>
      </section>
    );

  return (
    <form class="card" onSubmit={save} noValidate ref={fe.form}>
      <h1>{entry ? "Edit place" : "Add a place"}</h1>
      <label>
        Name
        <input required value={input.name} onInput={text((i, v) => (i.name = v))} {...fe.field("/name")} />
        {fe.message("/name")}
      </label>
      <label>
        Kind
        <select value={input.kind} onChange={text((i, v) => (i.kind = v as Schema<"EntryKind">))} {...fe.field("/kind")}>
          {KINDS.map((k) => (
            <option value={k}>{label(k)}</option>
          ))}
        </select>
        {fe.message("/kind")}
      </label>
      <label>
        Status
        <select value={input.status} onChange={text((i, v) => (i.status = v as Schema<"EntryStatus">))} {...fe.field("/status")}>
          {STATUSES.map((k) => (
            <option value={k}>{label(k)}</option>
          ))}
        </select>
        {fe.message("/status")}
      </label>
      <div class="pair">
        <label>
          Capacity (beds)
          <input inputMode="numeric" {...rawInput("capacity")} {...fe.field("/capacity")} />
          {fe.message("/capacity")}
        </label>
        <label>
          Beds free
          <input inputMode="numeric" {...rawInput("beds_available")} {...fe.field("/beds_available")} />
          {fe.message("/beds_available")}
        </label>
      </div>
      <label>
        Intake phone
        <input type="tel" required value={input.intake_phone} onInput={text((i, v) => (i.intake_phone = v))} {...fe.field("/intake_phone")} />
        {fe.message("/intake_phone")}
      </label>
      <label>
        Street
        <input value={input.address.street} onInput={text((i, v) => (i.address.street = v))} />
      </label>
      <label>
        Town
        <input value={input.address.locality} onInput={text((i, v) => (i.address.locality = v))} {...fe.field("/address")} />
        {fe.message("/address")}
      </label>
      <div class="pair">
        <label>
          Latitude
          <input inputMode="decimal" {...rawInput("latitude")} {...fe.field("/location/latitude")} />
          {fe.message("/location/latitude")}
        </label>
        <label>
          Longitude
          <input inputMode="decimal" {...rawInput("longitude")} {...fe.field("/location/longitude")} />
          {fe.message("/location/longitude")}
        </label>
      </div>
      {fe.message("/location")}
      <fieldset>
        <legend>Who it takes (what advocates filter on)</legend>
        {checkEligibility("accepts_children", "Children")}
        {checkEligibility("accepts_pets", "Pets")}
        {checkEligibility("wheelchair_accessible", "Wheelchair accessible")}
        <div class="pair">
          <label>
            Youngest age
            <input inputMode="numeric" {...rawInput("min_age")} {...fe.field("/eligibility/min_age")} />
            {fe.message("/eligibility/min_age")}
          </label>
          <label>
            Oldest age
            <input inputMode="numeric" {...rawInput("max_age")} {...fe.field("/eligibility/max_age")} />
            {fe.message("/eligibility/max_age")}
          </label>
        </div>
        <label>
          Languages staff speak (two-letter codes, e.g. en, es)
          <input autocomplete="off" {...rawInput("languages")} {...fe.field("/eligibility/languages")} />
          {fe.message("/eligibility/languages")}
        </label>
        <label>
          Eligibility notes
          <input value={input.eligibility.notes ?? ""} onInput={text((i, v) => (i.eligibility.notes = v))} />
        </label>
        {fe.message("/eligibility")}
      </fieldset>
      <fieldset>
        <legend>Intake hours ({input.hours.time_zone.replace(/_/g, " ")})</legend>
        <label class="check">
          <input type="checkbox" checked={!!input.hours.open_24_7} onChange={(ev) => upd((i) => (i.hours.open_24_7 = (ev.target as HTMLInputElement).checked))} />{" "}
          Intake open 24/7
        </label>
        {!input.hours.open_24_7 && (
          <>
            {spans.map((sp, n) => (
              <div class="span-row" key={n}>
                <select aria-label={`Day ${n + 1}`} value={sp.day} onChange={(ev) => upd((i) => (i.hours.spans![n].day = Number((ev.target as HTMLSelectElement).value)))}>
                  {["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].map((d, k) => (
                    <option value={k + 1}>{d}</option>
                  ))}
                </select>
                <input type="time" aria-label={`Opens ${n + 1}`} value={sp.opens} onInput={text((i, v) => (i.hours.spans![n].opens = v))} />
                <input type="time" aria-label={`Closes ${n + 1}`} value={sp.closes} onInput={text((i, v) => (i.hours.spans![n].closes = v))} />
                <button type="button" onClick={() => upd((i) => i.hours.spans!.splice(n, 1))}>
                  Remove
                </button>
              </div>
            ))}
            <button type="button" onClick={() => upd((i) => (i.hours.spans = [...(i.hours.spans ?? []), { day: 1, opens: "09:00", closes: "17:00" }]))}>
              Add hours
            </button>
          </>
        )}
        {fe.message("/hours")}
      </fieldset>
      <label class="check">
        <input type="checkbox" checked={input.confidential} onChange={(ev) => upd((i) => (i.confidential = (ev.target as HTMLInputElement).checked))} />
        Confidential location (address shown only to those allowed)
      </label>
      {fe.summary()}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <button class="primary">Save</button>
        <button type="button" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The agency's places as the CSV the import reads (`GET /v1/directory/export.csv`). */
async function exportCsv() {
  const text = await getText("/v1/directory/export.csv");
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = "places.csv";
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** `/rows/7/latitude` → line 7 (CSV); other pointers (HSDS) are shown as they are. */
function lineOf(pointer: string): number | null {
  const m = /^\/rows\/(\d+)/.exec(pointer);
  return m ? Number(m[1]) : null;
}

function Import({ onDone }: { onDone: () => void }) {
  const [result, setResult] = useState<string>("");
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [lines, setLines] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  async function upload(ev: Event) {
    ev.preventDefault();
    const file = (ev.target as HTMLFormElement).querySelector("input[type=file]") as HTMLInputElement;
    const f = file.files?.[0];
    if (!f) return;
    setBusy(true);
    setErrors([]);
    setResult("");
    const text = await f.text();
    setLines(text.split(/\r?\n/));
    const json = f.name.toLowerCase().endsWith(".json") || text.trimStart().startsWith("{") || text.trimStart().startsWith("[");
    try {
      const r = await call<Schema<"ImportSummary">>("POST", "/v1/directory/import", new Blob([text]), {
        "content-type": json ? "application/json" : "text/csv",
      });
      setResult(`Imported: ${r.body.created} created, ${r.body.updated} updated.`);
    } catch (e) {
      if (e instanceof Problem && e.errors.length) {
        setResult(`Nothing was imported: ${e.errors.length} problem(s). Fix them and import the file again.`);
        setErrors(e.errors);
      } else setResult(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  // One row per line of the file, with every problem found on it; HSDS problems (JSON
  // pointers, no line) each get their own row.
  const groups = new Map<string, { line: number | null; items: FieldError[] }>();
  for (const e of errors) {
    const line = lineOf(e.pointer);
    const key = line === null ? e.pointer : String(line);
    if (!groups.has(key)) groups.set(key, { line, items: [] });
    groups.get(key)!.items.push(e);
  }

  return (
    <section>
      <h1>Import places</h1>
      <p class="hint">
        A CSV file (columns as in <strong>Export CSV</strong> on the directory, with <code>external_id</code>) or Open Referral HSDS JSON. All or nothing: if any
        row is wrong, nothing is written.
      </p>
      <form onSubmit={upload} class="card">
        <label>
          File
          <input type="file" accept=".csv,.json,text/csv,application/json" required />
        </label>
        <div class="actions">
          <button class="primary" disabled={busy}>
            Import
          </button>
          <button type="button" onClick={onDone}>
            Back to the directory
          </button>
        </div>
      </form>
      {result && <p role="status">{result}</p>}
      {errors.length > 0 && (
        <table class="import-errors">
          <thead>
            <tr>
              <th scope="col">Line</th>
              <th scope="col">Problems</th>
            </tr>
          </thead>
          <tbody>
            {[...groups.entries()].map(([key, g]) => (
              <tr key={key} data-line={g.line ?? ""}>
                <th scope="row">{g.line ?? "—"}</th>
                <td>
                  <ul>
                    {g.items.map((e) => (
                      <li>
                        <strong>{g.line !== null ? e.pointer.split("/").slice(3).join("/") || "row" : e.pointer}</strong>: {e.message}
                      </li>
                    ))}
                  </ul>
                  {g.line !== null && lines[g.line - 1] !== undefined && <pre class="line">{lines[g.line - 1]}</pre>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
