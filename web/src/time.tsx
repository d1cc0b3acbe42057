// Every time the app shows, in the agency's time zone (`agency.time_zone` in /v1/me) with the
// zone's short name ("14:05 MST"), whatever zone the phone itself is set to: a coordinator
// reading an alert and the advocate who raised it see the same clock. Relative times
// ("6 min ago") may go with it, never instead of it.

let agencyZone: string | undefined;

/** The zone times are shown in (the signed-in user's agency); the phone's until then. */
export function setAgencyZone(zone: string | undefined) {
  agencyZone = zone && validZone(zone) ? zone : undefined;
}
export const zoneOf = (zone?: string) => zone ?? agencyZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;

function validZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

type Parts = Record<string, string>;
function parts(d: Date, zone: string, options: Intl.DateTimeFormatOptions): Parts {
  const out: Parts = {};
  for (const p of new Intl.DateTimeFormat([], { ...options, timeZone: zone }).formatToParts(d)) out[p.type] = p.value;
  return out;
}

/** The calendar day of an instant in a zone, as "2026-12-05". */
function day(d: Date, zone: string): string {
  const p = parts(d, zone, { year: "numeric", month: "2-digit", day: "2-digit" });
  return `${p.year}-${p.month}-${p.day}`;
}

/** The zone's short name at that instant: "MST", "MDT" (or "GMT+5:30" where none exists). */
export function zoneName(zone?: string, at: Date = new Date()): string {
  return parts(at, zoneOf(zone), { timeZoneName: "short" }).timeZoneName ?? zoneOf(zone);
}

/**
 * An instant as a clock in the zone, as short as is unambiguous: "14:05 MST" today,
 * "Tue 14:05 MST" within the week, "Dec 5, 14:05 MST" before that (with the year when it is
 * another year). `style: "weekday"` always gives the weekday form (schedules: "Sat 08:00 MST").
 */
export function clock(iso: string | null | undefined, zone?: string, style: "auto" | "weekday" | "full" = "auto"): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "—";
  const z = zoneOf(zone);
  const time: Intl.DateTimeFormatOptions = { hour: "2-digit", minute: "2-digit", timeZoneName: "short" };
  const fmt = (o: Intl.DateTimeFormatOptions) => d.toLocaleString([], { ...o, ...time, timeZone: z });
  if (style === "weekday") return fmt({ weekday: "short" });
  if (style === "full") return fmt({ weekday: "short", year: "numeric", month: "short", day: "numeric" });
  const now = new Date();
  if (day(d, z) === day(now, z)) return d.toLocaleTimeString([], { ...time, timeZone: z });
  const days = Math.abs(now.getTime() - d.getTime()) / 86_400_000;
  if (days < 6) return fmt({ weekday: "short" });
  const sameYear = parts(d, z, { year: "numeric" }).year === parts(now, z, { year: "numeric" }).year;
  return fmt(sameYear ? { month: "short", day: "numeric" } : { year: "numeric", month: "short", day: "numeric" });
}

/** How long ago, shortly: "40s ago", "6 min ago", "3 h ago", "2 d ago" ("never" for none). */
export function ago(iso: string | null | undefined): string {
  if (!iso) return "never";
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

/**
 * A time on screen: "6 min ago · 14:05 MST" (or the clock alone), in a `<time>` whose
 * `datetime` is the instant and whose title has the full date.
 */
export function When(props: { iso: string | null | undefined; zone?: string; relative?: boolean; style?: "auto" | "weekday" | "full" }) {
  const { iso, zone, relative = true, style = "auto" } = props;
  if (!iso) return <span>never</span>;
  const at = clock(iso, zone, style);
  return (
    <time dateTime={iso} title={clock(iso, zone, "full")}>
      {relative ? `${ago(iso)} · ${at}` : at}
    </time>
  );
}
