// Advocates: places near the phone (or near coordinates typed in), nearest first. What a
// confidential place shows is exactly what the API returns for this reader.

import { useState } from "preact/hooks";
import { ago, errorText, get, label } from "../api";
import { KINDS, isStale, type Entry } from "./directory";

export function Nearby() {
  const [where, setWhere] = useState("");
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [msg, setMsg] = useState("");
  const [filters, setFilters] = useState<Record<string, boolean>>({ has_beds: true });
  const [kind, setKind] = useState("");

  async function search(lat: number, lon: number) {
    const p = new URLSearchParams({ latitude: String(lat), longitude: String(lon), radius_m: "50000", limit: "50" });
    for (const [k, v] of Object.entries(filters)) if (v) p.set(k, "true");
    if (kind) p.set("kind", kind);
    setMsg("Searching…");
    try {
      setEntries((await get<{ entries: Entry[] }>(`/v1/directory/nearby?${p}`)).entries);
      setMsg("");
    } catch (e) {
      setMsg(errorText(e));
    }
  }

  function here() {
    if (!("geolocation" in navigator)) return setMsg("This device cannot share its location; type coordinates.");
    setMsg("Finding your location…");
    navigator.geolocation.getCurrentPosition(
      (pos) => search(pos.coords.latitude, pos.coords.longitude),
      () => setMsg("Location is not available; type coordinates instead."),
      { enableHighAccuracy: false, timeout: 10_000, maximumAge: 60_000 },
    );
  }

  function typed(e: Event) {
    e.preventDefault();
    const m = /^\s*(-?\d+(?:\.\d+)?)\s*[,; ]\s*(-?\d+(?:\.\d+)?)\s*$/.exec(where);
    if (!m) return setMsg("Type latitude, longitude, e.g. 40.2338, -111.6585.");
    search(Number(m[1]), Number(m[2]));
  }

  const toggle = (k: string) => setFilters((f) => ({ ...f, [k]: !f[k] }));
  return (
    <section>
      <h1>Nearby places</h1>
      <button class="primary" onClick={here}>
        Use my location
      </button>
      <form onSubmit={typed} class="inline">
        <label>
          Or coordinates
          <input value={where} placeholder="40.2338, -111.6585" onInput={(e) => setWhere((e.target as HTMLInputElement).value)} />
        </label>
        <button>Search</button>
      </form>
      <p class="hint">Street addresses are not looked up: Fieldline sends nothing to outside map services.</p>
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
      {entries?.length === 0 && <p>Nothing matches within 50 km.</p>}
      <ul class="list">
        {entries?.map((e) => (
          <li key={e.id} class="card place">
            <h2>
              {e.name} {e.confidential && <span class="badge confidential">confidential</span>}
            </h2>
            <p>
              <strong>{e.distance_m !== undefined ? `${(e.distance_m / 1000).toFixed(1)} km` : ""}</strong>
              {e.redacted && " (approximate)"} · {label(e.kind)} · {label(e.status)}
              {e.open_now !== undefined && (e.open_now ? " · intake open" : " · intake closed")}
            </p>
            <p>
              Beds: {e.beds_available ?? "unknown"} · updated {ago(e.availability_updated_at)}
              {isStale(e) && <span class="badge stale">stale</span>}
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
