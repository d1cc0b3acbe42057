// Who is on call now and next, the coming week with numbers, and "I'll cover tonight" (offered
// only when you are not on call all night), which can be taken back. Every time is shown in
// the schedule's time zone, with the zone's name.

import { useEffect, useRef, useState } from "preact/hooks";
import { call, get, type Schema } from "../api";
import { errorText } from "../fielderrors";
import { clock } from "../time";
import type { Me } from "../session";
import { telLink } from "../tel";

type OnCallNow = Schema<"OnCall">;
type Shift = Schema<"ShiftView">;
interface Row {
  id: string;
  name: string;
  zone: string;
  now: OnCallNow;
  next: OnCallNow | null;
  /** The next 7 days: rotation shifts and covers, by start. */
  week: Shift[];
  /** Whether you are on call for all of tonight already. */
  youTonight: boolean;
}

/** A time in the schedule's `zone` with the zone's short name: "Sat 08:00 MST" (time.tsx). */
export const when = (iso: string | null | undefined, zone: string) => clock(iso, zone, "weekday");

/** Tonight in this device's time: 18:00 today (or now, if later) to 08:00 tomorrow. */
export function tonight(now = new Date()): { start: Date; end: Date } {
  const start = new Date(now);
  start.setHours(18, 0, 0, 0);
  const end = new Date(now);
  end.setDate(end.getDate() + (now.getHours() < 8 ? 0 : 1));
  end.setHours(8, 0, 0, 0);
  if (now.getHours() < 8 || start < now) return { start: now, end };
  return { start, end };
}

const at = (iso: string) => encodeURIComponent(iso);

/** Whether back-to-back stretches (a hand-off to yourself, a cover) cover `from` to `to`. */
function covers(stretches: { start: string; end: string }[], from: number, to: number): boolean {
  let reached = from;
  for (const s of [...stretches].sort((a, b) => Date.parse(a.start) - Date.parse(b.start))) {
    if (Date.parse(s.start) > reached) break;
    reached = Math.max(reached, Date.parse(s.end));
  }
  return reached >= to;
}

export function OnCall({ me }: { me: Me }) {
  const [rows, setRows] = useState<Row[] | null>(null);
  const [msg, setMsg] = useState("");
  const [undo, setUndo] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // A second tap before the first answer must not cover twice.
  const working = useRef(false);
  const who = (c: { user_id?: string | null; display_name?: string | null }) =>
    c.user_id == null ? "nobody" : c.user_id === me.id ? "You" : c.display_name || "a colleague";

  async function load() {
    try {
      const { schedules } = await get<Schema<"ScheduleList">>("/v1/oncall/schedules");
      const { shifts: mine } = await get<Schema<"MyShiftList">>("/v1/oncall/me/shifts?days=2");
      const t = tonight();
      const from = new Date().toISOString();
      const to = new Date(Date.now() + 7 * 86400_000).toISOString();
      const out: Row[] = [];
      for (const s of schedules) {
        const now = await get<OnCallNow>(`/v1/oncall/schedules/${s.id}/on-call`);
        const next = now.end ? await get<OnCallNow>(`/v1/oncall/schedules/${s.id}/on-call?at=${at(now.end)}`) : null;
        const list = await get<Schema<"ShiftList">>(`/v1/oncall/schedules/${s.id}/shifts?from=${at(from)}&to=${at(to)}`);
        const week = [...list.shifts, ...list.overrides].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
        const youTonight = covers(
          mine.filter((m) => m.schedule_id === s.id),
          t.start.getTime(),
          t.end.getTime(),
        );
        out.push({ id: s.id, name: s.schedule.name, zone: s.schedule.time_zone, now, next, week, youTonight });
      }
      setRows(out);
    } catch (e) {
      setMsg(errorText(e));
    }
  }
  useEffect(() => {
    load();
  }, []);

  async function cover(r: Row) {
    if (working.current) return;
    working.current = true;
    setBusy(true);
    const { start, end } = tonight();
    try {
      const body: Schema<"OverrideInput"> = { user_id: me.id, start_at: start.toISOString(), end_at: end.toISOString() };
      const made = (await call<Shift>("POST", `/v1/oncall/schedules/${r.id}/overrides`, body)).body;
      setMsg(`You cover ${when(made.start, r.zone)} to ${when(made.end, r.zone)}.`);
      setUndo(made.override_id ?? null);
      await load();
    } catch (e) {
      setMsg(errorText(e));
    } finally {
      working.current = false;
      setBusy(false);
    }
  }

  async function takeBack(id: string) {
    try {
      await call("DELETE", `/v1/oncall/overrides/${id}`);
      setUndo(null);
      setMsg("Taken back: the schedule is as it was.");
      await load();
    } catch (e) {
      setMsg(errorText(e));
    }
  }

  const phone = (c: { user_id?: string | null; phone?: string | null; display_name?: string | null }) =>
    c.phone && c.user_id !== me.id ? (
      <a class="button" href={telLink(c.phone)}>
        Call {c.display_name ?? ""} {c.phone}
      </a>
    ) : null;

  return (
    <section>
      <h1>On call</h1>
      {msg && (
        <div class="actions" role="status">
          <span>{msg}</span>
          {undo && <button onClick={() => takeBack(undo)}>Undo</button>}
        </div>
      )}
      {!rows && !msg && <p role="status">Loading…</p>}
      {rows?.length === 0 && <p>Your agency has no on-call schedule.</p>}
      {rows?.map((r) => (
        <div class="card" key={r.id}>
          <h2>{r.name}</h2>
          <p class="muted" data-test="zone">
            Times in {r.zone.replace(/_/g, " ")}
          </p>
          <p data-test="now-line">
            Now: <strong data-test="now">{who(r.now)}</strong> until {when(r.now.end, r.zone)}
            {r.now.overridden && " (cover)"}
          </p>
          {phone(r.now)}
          {r.next && (
            <p>
              Next: <strong data-test="next">{who(r.next)}</strong> from {when(r.next.start, r.zone)}
            </p>
          )}
          {r.youTonight ? (
            <p class="ok" data-test="you-tonight">
              You are on call tonight.
            </p>
          ) : (
            <button class="primary" disabled={busy} onClick={() => cover(r)}>
              I'll cover tonight
            </button>
          )}
          <h3>The next 7 days</h3>
          <ul class="roster">
            {r.week.map((s) => (
              <li key={`${s.override_id ?? "r"}-${s.start}`}>
                {when(s.start, r.zone)} – {when(s.end, r.zone)}: <strong>{who(s)}</strong>
                {s.override_id && " (cover)"}
                {s.phone && s.user_id !== me.id && (
                  <>
                    {" "}
                    <a href={telLink(s.phone)}>{s.phone}</a>
                  </>
                )}
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}
