// Advocates: places near the phone, near a ZIP code or town typed in (looked up on the phone,
// see ../places.ts), or near coordinates, nearest first. What a confidential place shows is
// exactly what the API returns for this reader. Every filter change searches again at once;
// distances are in the agency's unit (the API gives metres).

import { useEffect, useRef, useState } from "preact/hooks";
import { get, label, type Schema } from "../api";
import { errorText, readNumber } from "../fielderrors";
import { When, zoneName } from "../time";
import type { Me } from "../session";
import { telLink } from "../tel";
import { KINDS, isStale, staleAfterOf, type Entry, type EntryList } from "./directory";
import type { Gazetteer, Place } from "../places";

const FILTERS: [string, string][] = [
  ["has_beds", "Free beds"],
  ["open_now", "Intake open now"],
  ["accepts_children", "Children"],
  ["accepts_pets", "Pets"],
  ["wheelchair_accessible", "Wheelchair"],
];
const FIRST_RADIUS_M = 50_000;
const MAX_RADIUS_M = 200_000;
const DAYS = ["", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** Metres in the agency's unit: "3.2 mi" or "5.1 km". */
export function distance(m: number, unit: Schema<"DistanceUnit"> | undefined): string {
  return unit === "mi" ? `${(m / 1609.344).toFixed(1)} mi` : `${(m / 1000).toFixed(1)} km`;
}

/** When intake answers, shortly: "24/7" or "Mon 09:00–17:00, Tue 09:00–17:00". */
function hoursText(h: Schema<"Hours">): string {
  if (h.open_24_7) return "24/7";
  const spans = h.spans ?? [];
  return spans.length ? spans.map((s) => `${DAYS[s.day] ?? "?"} ${s.opens}–${s.closes}`).join(", ") : "not given";
}

/** Who a place takes, from its eligibility: "children, pets, wheelchair access, ages 18+". */
function takes(e: Schema<"Eligibility">): string {
  const out: string[] = [];
  if (e.accepts_children) out.push("children");
  if (e.accepts_pets) out.push("pets");
  if (e.wheelchair_accessible) out.push("wheelchair access");
  if (e.genders?.length) out.push(e.genders.join("/"));
  if (e.min_age != null || e.max_age != null) out.push(`ages ${e.min_age ?? 0}${e.max_age != null ? `–${e.max_age}` : "+"}`);
  if (e.languages?.length) out.push(`speaks ${e.languages.join(", ")}`);
  return out.join(", ");
}

const STATUS: Record<Schema<"EntryStatus">, string> = {
  open: "taking people",
  full: "full",
  temporarily_closed: "temporarily closed",
  closed: "closed",
};

interface Point {
  lat: number;
  lon: number;
  near: string;
}

export function Nearby({ me }: { me: Me }) {
  const unit = me.agency.distance_unit;
  const [zip, setZip] = useState("");
  const [town, setTown] = useState("");
  const [typing, setTyping] = useState(false);
  const [matches, setMatches] = useState<Place[] | null>(null);
  const places = useRef<{ g: Gazetteer; find: typeof import("../places").findPlaces } | null>(null);
  const [point, setPoint] = useState<Point | null>(null);
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [staleAfter, setStaleAfter] = useState(Infinity);
  const [msg, setMsg] = useState("");
  const [filters, setFilters] = useState<Record<string, boolean>>({ has_beds: true });
  const [kind, setKind] = useState("");
  const [radius, setRadius] = useState(FIRST_RADIUS_M);
  // Only the newest search's answer is shown.
  const seq = useRef(0);

  // Every change of the point, a filter, the kind or the radius searches again.
  useEffect(() => {
    if (!point) return;
    const mine = ++seq.current;
    const p = new URLSearchParams({ latitude: String(point.lat), longitude: String(point.lon), radius_m: String(radius), limit: "50" });
    for (const [k, v] of Object.entries(filters)) if (v) p.set(k, "true");
    if (kind) p.set("kind", kind);
    setEntries(null);
    setMsg("Searching…");
    get<EntryList>(`/v1/directory/nearby?${p}`)
      .then((list) => {
        if (seq.current !== mine) return;
        setStaleAfter(staleAfterOf(list));
        setEntries(list.entries);
        setMsg("");
      })
      .catch((e) => seq.current === mine && setMsg(errorText(e)));
  }, [point, filters, kind, radius]);

  function search(lat: number, lon: number, near: string) {
    setMatches(null);
    setRadius(FIRST_RADIUS_M);
    setPoint({ lat, lon, near });
  }

  function here() {
    if (!("geolocation" in navigator)) return setMsg("This device cannot share its location; type a place instead.");
    setMsg("Finding your location…");
    navigator.geolocation.getCurrentPosition(
      (pos) => search(pos.coords.latitude, pos.coords.longitude, "your location"),
      () => setMsg("Location is not available; type a place instead."),
      { enableHighAccuracy: false, timeout: 10_000, maximumAge: 60_000 },
    );
  }

  /** Opening the place search is what fetches its code and the gazetteer. */
  async function openPlaces() {
    setTyping(true);
    if (places.current) return;
    setMsg("Loading the list of places…");
    try {
      const mod = await import("../places");
      places.current = { g: await mod.loadGazetteer(), find: mod.findPlaces };
      setMsg("");
    } catch {
      // Never opened with signal on this phone: the search's code and list are not here yet.
      setMsg(
        navigator.onLine
          ? "The list of places could not be loaded. Try again, use your location, or type coordinates."
          : "No connection: the place search needs signal the first time it is opened on this phone. Use your location, or type coordinates (such as 40.2338, -111.6585).",
      );
    }
  }

  async function typed(e: Event) {
    e.preventDefault();
    const where = zip.trim() || town.trim();
    const m = /^\s*(-?\d+(?:\.\d+)?)\s*[,; ]\s*(-?\d+(?:\.\d+)?)\s*$/.exec(where);
    if (m) return search(Number(m[1]), Number(m[2]), "the coordinates");
    // Decimal commas ("40,2338; -111,6585"): read as decimals, never as four numbers or NaN.
    const c = /^\s*(-?\d+,\d+)\s*[; ]\s*(-?\d+,\d+)\s*$/.exec(where);
    const [lat, lon] = c ? [readNumber(c[1]), readNumber(c[2])] : [null, null];
    if (lat !== null && lon !== null) return search(lat, lon, "the coordinates");
    // Typed before the list arrived: wait for it.
    if (!places.current) await openPlaces();
    if (!places.current) return;
    const found = places.current.find(places.current.g, where, 10, me.agency.time_zone);
    // A new place: the old list goes, whatever comes next.
    setPoint(null);
    setEntries(null);
    if (found.length === 0) {
      setMatches(null);
      return setMsg("No ZIP code or town by that name. Street addresses are not looked up.");
    }
    setMsg("");
    // A whole ZIP code or town name that only one place has: search at once.
    if (found.length === 1 || (found[0].exact && !found[1].exact)) return pick(found[0]);
    setMatches(found);
  }

  const pick = (p: Place) => search(p.latitude, p.longitude, /^\d{5}$/.test(p.label) ? `ZIP ${p.label}` : p.label);
  const toggle = (k: string) => setFilters((f) => ({ ...f, [k]: !f[k] }));
  const on = FILTERS.filter(([k]) => filters[k]);

  return (
    <section>
      <h1>Nearby places</h1>
      <div class="actions">
        <button class="primary" onClick={here}>
          Use my location
        </button>
        {!typing && <button onClick={openPlaces}>Type a place</button>}
      </div>
      {typing && (
        <form onSubmit={typed} class="card where">
          <div class="pair">
            <label>
              ZIP code
              <input
                autoFocus
                value={zip}
                inputMode="numeric"
                autocomplete="off"
                placeholder="84601"
                onInput={(e) => setZip((e.target as HTMLInputElement).value)}
              />
            </label>
            <label>
              or town
              <input
                value={town}
                placeholder="Provo, UT"
                autocomplete="off"
                autocapitalize="words"
                onInput={(e) => setTown((e.target as HTMLInputElement).value)}
              />
            </label>
          </div>
          <button class="primary">Find</button>
          <p class="hint">Looked up on this phone, never sent: streets are not looked up.</p>
          <details class="hint">
            <summary>More about this search</summary>
            Finds US ZIP codes and towns, or coordinates such as 40.2338, -111.6585. From a full address it searches near
            the address's ZIP code or town, so distances are from the middle of that area. Place data: GeoNames (CC BY
            4.0).
          </details>
        </form>
      )}
      {matches && (
        <ul class="matches" aria-label="Matching places">
          {matches.map((p) => (
            <li key={p.label}>
              <button class="link" onClick={() => pick(p)}>
                {p.label}
              </button>{" "}
              <span class="muted">{p.detail}</span>
            </li>
          ))}
        </ul>
      )}
      <fieldset class="filters">
        <legend>Filters (the search runs again at each change)</legend>
        {FILTERS.map(([k, l]) => (
          <label class="check" key={k}>
            <input type="checkbox" checked={!!filters[k]} onChange={() => toggle(k)} /> {l}
          </label>
        ))}
        <label>
          Kind
          <select value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)}>
            <option value="">any</option>
            {KINDS.map((k) => (
              <option value={k}>{label(k)}</option>
            ))}
          </select>
        </label>
      </fieldset>
      {msg && <p role="status">{msg}</p>}
      {entries && point && (
        <p class="muted" data-test="near">
          Nearest to {point.near} first
        </p>
      )}
      {entries?.length === 0 && (
        <div class="card" data-test="empty">
          <p>Nothing matches within {distance(radius, unit)}. Try:</p>
          <div class="actions">
            {radius < MAX_RADIUS_M && <button onClick={() => setRadius(Math.min(MAX_RADIUS_M, radius * 2))}>Search up to {distance(Math.min(MAX_RADIUS_M, radius * 2), unit)}</button>}
            {on.map(([k, l]) => (
              <button key={k} onClick={() => toggle(k)}>
                Without "{l}"
              </button>
            ))}
            {kind && <button onClick={() => setKind("")}>Any kind</button>}
          </div>
        </div>
      )}
      <ul class="list">
        {entries?.map((e) => {
          const stale = isStale(e, staleAfter);
          return (
            <li key={e.id} class="card place" data-entry={e.name}>
              <h2>
                {e.name} {e.confidential && <span class="badge confidential">confidential</span>}
              </h2>
              <p>
                <strong data-test="distance">{e.distance_m != null ? distance(e.distance_m, unit) : ""}</strong>
                {e.redacted && " (approximate)"} · {label(e.kind)} · {STATUS[e.status]}
              </p>
              <p>
                {e.open_now != null && <strong>{e.open_now ? "Intake open now" : "Intake closed now"}</strong>}
                {e.open_now != null && " · "}intake hours: {hoursText(e.hours)}
                {!e.hours.open_24_7 && !!e.hours.spans?.length && ` (${zoneName(e.hours.time_zone)})`}
              </p>
              <p>
                Free beds: {e.beds_available ?? "not given"} · updated <When iso={e.availability_updated_at} />
                {stale && (
                  <>
                    <span class="badge stale">stale</span> call to confirm
                  </>
                )}
              </p>
              {takes(e.eligibility) && <p>Takes {takes(e.eligibility)}</p>}
              {e.eligibility.notes && <p class="muted">{e.eligibility.notes}</p>}
              <p>{e.redacted ? `${e.address.locality} (address given by intake)` : [e.address.street, e.address.locality].filter(Boolean).join(", ")}</p>
              <div class="actions">
                <a class="button" href={telLink(e.intake_phone)}>
                  Call intake {e.intake_phone}
                </a>
                {!e.redacted && e.location && (
                  // The phone's own maps app: no web map service learns where the advocate is headed.
                  <a class="button" href={`geo:${e.location.latitude},${e.location.longitude}?q=${e.location.latitude},${e.location.longitude}`}>
                    Directions
                  </a>
                )}
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
