// Who is on call now and next, and "I'll cover tonight".

import { useEffect, useState } from "preact/hooks";
import { call, errorText, get, type Schema } from "../api";
import type { Me } from "../session";

type OnCallNow = Schema<"OnCall">;
interface Row {
  id: string;
  name: string;
  now: OnCallNow;
  next: OnCallNow | null;
}

const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString([], { weekday: "short", hour: "2-digit", minute: "2-digit" }) : "—");

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

export function OnCall({ me }: { me: Me }) {
  const [rows, setRows] = useState<Row[] | null>(null);
  const [msg, setMsg] = useState("");
  const who = (c: OnCallNow) => (c.user_id == null ? "nobody" : c.user_id === me.id ? "You" : (c.display_name ?? "a colleague"));

  async function load() {
    try {
      const { schedules } = await get<Schema<"ScheduleList">>("/v1/oncall/schedules");
      const out: Row[] = [];
      for (const s of schedules) {
        const now = await get<OnCallNow>(`/v1/oncall/schedules/${s.id}/on-call`);
        const next = now.end
          ? await get<OnCallNow>(`/v1/oncall/schedules/${s.id}/on-call?at=${encodeURIComponent(now.end)}`)
          : null;
        out.push({ id: s.id, name: s.schedule.name, now, next });
      }
      setRows(out);
    } catch (e) {
      setMsg(errorText(e));
    }
  }
  useEffect(() => {
    load();
  }, []);

  async function cover(id: string) {
    const { start, end } = tonight();
    try {
      const cover: Schema<"OverrideInput"> = { user_id: me.id, start_at: start.toISOString(), end_at: end.toISOString() };
      await call("POST", `/v1/oncall/schedules/${id}/overrides`, cover);
      setMsg(`You cover ${when(start.toISOString())} to ${when(end.toISOString())}.`);
      load();
    } catch (e) {
      setMsg(errorText(e));
    }
  }

  return (
    <section>
      <h1>On call</h1>
      {msg && <p role="status">{msg}</p>}
      {rows?.length === 0 && <p>Your agency has no on-call schedule.</p>}
      {rows?.map((r) => (
        <div class="card" key={r.id}>
          <h2>{r.name}</h2>
          <p>
            Now: <strong data-test="now">{who(r.now)}</strong> until {when(r.now.end)}
            {r.now.overridden && " (cover)"}
          </p>
          {r.next && (
            <p>
              Next: <strong data-test="next">{who(r.next)}</strong> from {when(r.next.start)}
            </p>
          )}
          <button onClick={() => cover(r.id)}>I'll cover tonight</button>
        </div>
      ))}
    </section>
  );
}
