// Advocates: places near the phone, near a ZIP code or town typed in (looked up on the phone,
// see ../places.ts), or near coordinates, nearest first. What a confidential place shows is
// exactly what the API returns for this reader.

import { useRef, useState } from "preact/hooks";
import { ago, errorText, get, label } from "../api";
import { KINDS, isStale, staleAfterOf, type Entry, type EntryList } from "./directory";
import type { Gazetteer, Place } from "../places";

export function Nearby() {
  const [where, setWhere] = useState("");
  const [typing, setTyping] = useState(false);
  const [matches, setMatches] = useState<Place[] | null>(null);
  const [from, setFrom] = useState("");
  const places = useRef<{ g: Gazetteer; find: typeof import("../places").findPlaces } | null>(null);
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [staleAfter, setStaleAfter] = useState(Infinity);
  const [msg, setMsg] = useState("");
  const [filters, setFilters] = useState<Record<string, boolean>>({ has_beds: true });
  const [kind, setKind] = useState("");

  async function search(lat: number, lon: number, near = "") {
    setFrom(near);
    setMatches(null);
    const p = new URLSearchParams({ latitude: String(lat), longitude: String(lon), radius_m: "50000", limit: "50" });
    for (const [k, v] of Object.entries(filters)) if (v) p.set(k, "true");
    if (kind) p.set("kind", kind);
    setMsg("Searching…");
    try {
      const list = await get<EntryList>(`/v1/directory/nearby?${p}`);
      setStaleAfter(staleAfterOf(list));
      setEntries(list.entries);
      setMsg("");
    } catch (e) {
      setMsg(errorText(e));
    }
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
    } catch (e) {
      setMsg(`The list of places could not be loaded (${errorText(e)}). Try again with signal, or type coordinates.`);
    }
  }

  async function typed(e: Event) {
    e.preventDefault();
    const m = /^\s*(-?\d+(?:\.\d+)?)\s*[,; ]\s*(-?\d+(?:\.\d+)?)\s*$/.exec(where);
    if (m) return search(Number(m[1]), Number(m[2]), "the coordinates");
    // Typed before the list arrived: wait for it.
    if (!places.current) await openPlaces();
    if (!places.current) return;
    const found = places.current.find(places.current.g, where);
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
        <form onSubmit={typed} class="inline">
          <label>
            ZIP code or town
            <input
              autoFocus
              value={where}
              placeholder="84601 or Provo, UT"
              autocomplete="off"
              autocapitalize="words"
              onInput={(e) => setWhere((e.target as HTMLInputElement).value)}
            />
          </label>
          <button>Find</button>
        </form>
      )}
      {typing && (
        <p class="hint">
          Finds US ZIP codes and towns (or coordinates such as 40.2338, -111.6585). From a full address it searches near
          the address's ZIP code or town: streets are not looked up, so distances are from the middle of that area. The
          lookup runs on this phone: what you type is not sent anywhere. Place data: GeoNames (CC BY 4.0).
        </p>
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
        <legend>Filters</legend>
        {[
          ["has_beds", "Free beds"],
          ["open_now", "Intake open now"],
          ["accepts_children", "Children"],
          ["accepts_pets", "Pets"],
          ["wheelchair_accessible", "Wheelchair"],
        ].map(([k, l]) => (
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
      {entries && from && <p class="muted" data-test="near">Nearest to {from} first</p>}
      {entries?.length === 0 && <p>Nothing matches within 50 km.</p>}
      <ul class="list">
        {entries?.map((e) => (
          <li key={e.id} class="card place" data-entry={e.name}>
            <h2>
              {e.name} {e.confidential && <span class="badge confidential">confidential</span>}
            </h2>
            <p>
              <strong>{e.distance_m != null ? `${(e.distance_m / 1000).toFixed(1)} km` : ""}</strong>
              {e.redacted && " (approximate)"} · {label(e.kind)} · {label(e.status)}
              {e.open_now != null && (e.open_now ? " · intake open" : " · intake closed")}
            </p>
            <p>
              Beds: {e.beds_available ?? "unknown"} · updated {ago(e.availability_updated_at)}
              {isStale(e, staleAfter) && <span class="badge stale">stale</span>}
            </p>
            <p>{e.redacted ? `${e.address.locality} (address given by intake)` : [e.address.street, e.address.locality].filter(Boolean).join(", ")}</p>
            <a class="button" href={`tel:${e.intake_phone}`}>
              Call intake {e.intake_phone}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
