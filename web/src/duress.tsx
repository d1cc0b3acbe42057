// Duress from any screen: the header's Duress button opens this sheet, whose one button sends
// the alert with the phone's location (two taps in all). It calls nobody, and says so; the
// agency's coordinator line and emergency number are always there to call. With no signal (or
// a portal's page, or a busy server) the alert is not lost: it waits in the outbox, sealed,
// and is sent by itself when the connection returns (outbox.ts; the server raises an id once,
// so a replay raises nothing twice), and the sheet says so beside the numbers to call. The
// numbers come with the stored session, so they are there offline too.

import { useEffect, useState } from "preact/hooks";
import { Offline, Problem, call, uuid, type Schema } from "./api";
import { errorText } from "./fielderrors";
import { enqueue, mine, onOutboxChange, sendNow } from "./outbox";
import type { Me } from "./session";
import { telLink } from "./tel";

/** Where the phone is, if it can tell within 5 s (a minute-old fix will do). */
export function position(): Promise<Schema<"LocationReport"> | null> {
  return new Promise((resolve) => {
    if (!("geolocation" in navigator)) return resolve(null);
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ latitude: p.coords.latitude, longitude: p.coords.longitude, precision_m: Math.max(1, Math.round(p.coords.accuracy)) }),
      () => resolve(null),
      { timeout: 5_000, maximumAge: 60_000 },
    );
  });
}

/** What became of a press of the duress button: sent, waiting in the outbox to be sent, or
 *  neither (then only a call helps). */
export interface DuressOutcome {
  state: "sent" | "queued" | "failed";
  /** The alert's id, chosen here: the server raises it once however often it is sent. */
  id: string;
  /** Whether the phone's location went (or waits) with it. */
  located: boolean;
  text: string;
}

const sentText = (located: boolean, late = false) =>
  `Duress alert sent${late ? " now that the connection is back" : ""}: the coordinator on call is being alerted${located ? ", with your location" : " (your location was not available)"}. Nobody is called by it: call if you can.`;

/** Raises a duress alert now, or queues it to be sent when it can be. */
export async function sendDuress(): Promise<DuressOutcome> {
  const id = uuid();
  const location = await position();
  const body: Schema<"Duress"> = { id, location };
  const located = !!location;
  let why = "this phone has no connection";
  try {
    const r = await call("POST", "/v1/safety/duress", body);
    if (r.status === 202) return { state: "sent", id, located, text: sentText(located) };
    why = "the network answered instead of the server";
  } catch (e) {
    if (e instanceof Problem) {
      // The server's own refusal (not signed out, not busy): sending again would not help.
      const busy = e.status === 401 || e.status === 408 || e.status === 425 || e.status === 429 || e.status >= 500 || !e.fromServer;
      if (!busy) return { state: "failed", id, located, text: `Not sent: ${errorText(e)} Call instead:` };
      why = e.fromServer ? "the server is busy" : "the network answered instead of the server";
    } else if (!(e instanceof Offline) || navigator.onLine) {
      why = "the server could not be reached";
    }
  }
  const kept = await enqueue(id, body, "duress").catch(() => "not kept");
  if (kept) return { state: "failed", id, located, text: `Not sent: ${why}, and this phone could not keep it to send later. Call instead:` };
  void sendNow();
  return {
    state: "queued",
    id,
    located,
    text: `Not sent yet: ${why}. It is kept on this phone and will be sent by itself when the connection returns. Call now:`,
  };
}

/** The duress button's state: a press, what came of it, and a queued alert followed until
 *  it is sent (or refused). */
export function useDuress() {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<DuressOutcome | null>(null);
  useEffect(() => {
    if (outcome?.state !== "queued") return;
    return onOutboxChange(() => {
      void mine().then((items) => {
        const q = items.find((x) => x.id === outcome.id);
        if (!q) setOutcome({ ...outcome, state: "sent", text: sentText(outcome.located, true) });
        else if (q.error) setOutcome({ ...outcome, state: "failed", text: `Not sent: ${q.error} Call instead:` });
      });
    });
  }, [outcome?.id, outcome?.state]);
  async function send() {
    if (busy) return;
    setBusy(true);
    setOutcome(null);
    const r = await sendDuress();
    setOutcome(r);
    setBusy(false);
  }
  return { busy, outcome, send };
}

/** The numbers to call: the agency's coordinator line and its emergency number. */
export function CallButtons({ me }: { me: Me }) {
  const line = me.agency.coordinator_fallback_phone;
  const emergency = me.agency.emergency_number;
  if (!line && !emergency) return <p class="hint">Your agency has set no number to call: call your local emergency number.</p>;
  return (
    <div class="actions calls">
      {line && (
        <a class="button" href={telLink(line)} data-test="call-coordinator">
          Call the coordinator line {line}
        </a>
      )}
      {emergency && (
        <a class="button danger" href={telLink(emergency)} data-test="call-emergency">
          Call {emergency}
        </a>
      )}
    </div>
  );
}

export function DuressSheet({ me, onClose }: { me: Me; onClose: () => void }) {
  const { busy, outcome, send } = useDuress();
  return (
    <section class="sheet card" role="dialog" aria-modal="true" aria-labelledby="duress-title">
      <h2 id="duress-title">Duress alert</h2>
      <p class="hint">Alerts the coordinator on call with your location. It does not place a call.</p>
      <button class="danger big" onClick={send} disabled={busy}>
        {busy ? "Sending…" : "Send duress alert now"}
      </button>
      {outcome && (
        <p role="alert" class={outcome.state === "sent" ? "ok" : "error"} data-test="duress-result" data-state={outcome.state}>
          {outcome.text}
        </p>
      )}
      <CallButtons me={me} />
      <button onClick={onClose}>Close</button>
    </section>
  );
}
