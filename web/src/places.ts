// "Type a place": US ZIP codes and towns looked up on the phone, in the gazetteer asset that
// web/tools/gazetteer.mjs builds (GeoNames, CC BY 4.0). This module is its own chunk and the
// asset is fetched only when the advocate opens the place search; the service worker keeps
// both for later. What is typed never leaves the phone: only the chosen point is searched.

declare const PLACES_URL: string;

export interface Place {
  /** "Provo, UT" or "84601". */
  label: string;
  /** "6 ZIP codes" or "Provo, UT". */
  detail: string;
  latitude: number;
  longitude: number;
  /** The whole ZIP code, or the town's whole name, as typed. */
  exact: boolean;
}

interface Town {
  name: string;
  st: string;
  /** Lower case, letters and digits only, for matching. */
  key: string;
  lat: number;
  lon: number;
  zips: number;
}

export interface Gazetteer {
  zips: Map<string, { lat: number; lon: number; town: Town }>;
  towns: Town[];
}

const STATES: Record<string, string> = {
  alabama: "AL", alaska: "AK", arizona: "AZ", arkansas: "AR", california: "CA", colorado: "CO", connecticut: "CT",
  delaware: "DE", "district of columbia": "DC", florida: "FL", georgia: "GA", hawaii: "HI", idaho: "ID", illinois: "IL",
  indiana: "IN", iowa: "IA", kansas: "KS", kentucky: "KY", louisiana: "LA", maine: "ME", maryland: "MD",
  massachusetts: "MA", michigan: "MI", minnesota: "MN", mississippi: "MS", missouri: "MO", montana: "MT",
  nebraska: "NE", nevada: "NV", "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM", "new york": "NY",
  "north carolina": "NC", "north dakota": "ND", ohio: "OH", oklahoma: "OK", oregon: "OR", pennsylvania: "PA",
  "rhode island": "RI", "south carolina": "SC", "south dakota": "SD", tennessee: "TN", texas: "TX", utah: "UT",
  vermont: "VT", virginia: "VA", washington: "WA", "west virginia": "WV", wisconsin: "WI", wyoming: "WY",
  "puerto rico": "PR", guam: "GU", "virgin islands": "VI",
};

const norm = (s: string) =>
  s
    .toLowerCase()
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/\bsaint\b/g, "st")
    .replace(/[^a-z0-9]+/g, " ")
    .trim();

let loading: Promise<Gazetteer> | null = null;

/** The gazetteer, fetched once per page (and from the service worker's cache after that). */
export function loadGazetteer(): Promise<Gazetteer> {
  loading ??= fetch(PLACES_URL)
    .then((res) => {
      if (!res.ok) throw new Error(`place list: HTTP ${res.status}`);
      return res.text();
    })
    .then(parse)
    .catch((e) => {
      loading = null;
      throw e;
    });
  return loading;
}

/** The format is described in web/tools/gazetteer.mjs. */
export function parse(text: string): Gazetteer {
  const zips = new Map<string, { lat: number; lon: number; town: Town }>();
  const byKey = new Map<string, Town & { sumLat: number; sumLon: number }>();
  let zip = 0,
    la = 0,
    lo = 0,
    name = "",
    st = "";
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const c1 = line.indexOf(",");
    const c2 = line.indexOf(",", c1 + 1);
    const c3 = line.indexOf(",", c2 + 1);
    zip += c1 === 0 ? 1 : Number(line.slice(0, c1));
    la += Number(line.slice(c1 + 1, c2));
    lo += Number(line.slice(c2 + 1, c3 < 0 ? undefined : c3));
    if (c3 >= 0) {
      const t = line.slice(c3 + 1);
      const semi = t.indexOf(";");
      name = semi < 0 ? t : t.slice(0, semi);
      if (semi >= 0) st = t.slice(semi + 1);
    }
    const key = `${st}|${name}`;
    let town = byKey.get(key);
    if (!town) {
      town = { name, st, key: norm(name), lat: 0, lon: 0, zips: 0, sumLat: 0, sumLon: 0 };
      byKey.set(key, town);
    }
    const lat = la / 100,
      lon = lo / 100;
    town.zips++;
    town.sumLat += lat;
    town.sumLon += lon;
    zips.set(String(zip).padStart(5, "0"), { lat, lon, town });
  }
  const towns: Town[] = [];
  for (const t of byKey.values()) {
    // A town's point: the middle of its ZIP codes' points.
    t.lat = Math.round((t.sumLat / t.zips) * 1000) / 1000;
    t.lon = Math.round((t.sumLon / t.zips) * 1000) / 1000;
    towns.push(t);
  }
  return { zips, towns };
}

/** Where an agency's time zone is named after (tz's zone1970.tab): among towns of the same
 *  name, the ones nearest the agency's area come first. */
const ZONE_CITIES: Record<string, [number, number]> = {
  "America/New_York": [40.71, -74.01],
  "America/Detroit": [42.33, -83.05],
  "America/Indiana/Indianapolis": [39.77, -86.16],
  "America/Kentucky/Louisville": [38.25, -85.76],
  "America/Chicago": [41.85, -87.65],
  "America/Menominee": [45.11, -87.61],
  "America/North_Dakota/Center": [47.12, -101.3],
  "America/Denver": [39.74, -104.98],
  "America/Boise": [43.61, -116.2],
  "America/Phoenix": [33.45, -112.07],
  "America/Los_Angeles": [34.05, -118.24],
  "America/Anchorage": [61.22, -149.9],
  "America/Juneau": [58.3, -134.42],
  "Pacific/Honolulu": [21.31, -157.86],
  "America/Puerto_Rico": [18.47, -66.11],
};

/** Squared distance in degrees, longitude scaled by latitude: enough to order towns. */
const near2 = (lat: number, lon: number, [rlat, rlon]: [number, number]) =>
  (lat - rlat) ** 2 + ((lon - rlon) * Math.cos((rlat * Math.PI) / 180)) ** 2;

/** Places matching what was typed: a ZIP code (or its first digits), a town with or
 *  without its state ("Provo, UT", "provo utah", "Prov"), or an address, by its ZIP code or
 *  town. Best first (towns of the same name nearest the agency's time zone's city first, then
 *  those with more ZIP codes), at most `limit`. */
export function findPlaces(g: Gazetteer, typed: string, limit = 10, zone?: string): Place[] {
  const home = zone ? ZONE_CITIES[zone] : undefined;
  const q = typed.trim();
  // A whole address ("12 Elm St, Provo, UT 84601"): the street is not looked up, so the
  // search starts from the address's ZIP code or, without one, from its town.
  const addressZip = /[\s,](\d{5})(?:-\d{4})?$/.exec(q);
  const z = addressZip && g.zips.get(addressZip[1]);
  if (addressZip && z) {
    const label = addressZip[1];
    return [{ label, detail: `${z.town.name}, ${z.town.st}`, latitude: z.lat, longitude: z.lon, exact: true }];
  }
  if (/^\d{3,5}$/.test(q)) {
    const out: Place[] = [];
    for (const [zip, z] of g.zips) {
      if (!zip.startsWith(q)) continue;
      out.push({ label: zip, detail: `${z.town.name}, ${z.town.st}`, latitude: z.lat, longitude: z.lon, exact: zip === q });
      if (out.length >= limit) break;
    }
    return out.sort((a, b) => a.label.localeCompare(b.label));
  }
  let exactKey = "";
  const towns = (words: string, st: string) => {
    exactKey = words;
    const rank = (t: Town) => (t.key === words ? 0 : t.key.startsWith(words) ? 1 : t.key.includes(` ${words}`) ? 2 : 3);
    return g.towns
      .filter((t) => (!st || t.st === st) && rank(t) < 3)
      .sort(
        (a, b) =>
          rank(a) - rank(b) ||
          (home ? near2(a.lat, a.lon, home) - near2(b.lat, b.lon, home) : 0) ||
          b.zips - a.zips ||
          a.name.localeCompare(b.name),
      );
  };
  const stateCode = (s: string) => STATES[s] ?? (/^[a-z]{2}$/.test(s) && Object.values(STATES).includes(s.toUpperCase()) ? s.toUpperCase() : "");
  let found: Town[] = [];
  const parts = q.split(",");
  if (parts.length > 1) {
    // "Provo, UT", "Provo, Utah"; in an address ("12 Elm St, Provo, UT") the part before
    // the state is the town.
    const st = stateCode(norm(parts[parts.length - 1].replace(/\d{5}(-\d{4})?\s*$/, "")));
    const words = norm((parts.length > 2 ? parts.slice(-2, -1) : parts.slice(0, -1)).join(" "));
    if (st && words) found = towns(words, st);
    // "Provo" after a street ("12 Elm St, Provo"), or commas in a town's name.
    else if (!st) found = towns(norm(parts[parts.length - 1]), "");
    if (!st && !found.length) found = towns(norm(q), "");
  } else {
    // "provo ut", "saint george utah", "new york new york"; else the words are the town.
    const w = norm(q).split(" ");
    for (const n of [2, 1]) {
      const st = w.length > n ? stateCode(w.slice(-n).join(" ")) : "";
      if (st) found = towns(w.slice(0, -n).join(" "), st);
      if (found.length) break;
    }
    if (!found.length) found = towns(w.join(" "), "");
  }
  return found
    .slice(0, limit)
    .map((t) => ({
      label: `${t.name}, ${t.st}`,
      detail: t.zips === 1 ? "1 ZIP code" : `${t.zips} ZIP codes`,
      latitude: t.lat,
      longitude: t.lon,
      exact: t.key === exactKey,
    }));
}
