// Duress from any screen: the header's Duress button opens this sheet, whose one button sends
// the alert with the phone's location (two taps in all). It calls nobody, and says so; the
// agency's coordinator line and emergency number are always there to call, and are what it
// offers when the alert cannot be sent (no signal). The numbers come with the stored session,
// so they are there offline too.

import { useState } from "preact/hooks";
import { Offline, call, errorText, uuid, type Schema } from "./api";
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

/** Raises a duress alert; the words for what happened. */
export async function sendDuress(): Promise<{ sent: boolean; text: string }> {
  try {
    const location = await position();
    const body: Schema<"Duress"> = { id: uuid(), location };
    await call("POST", "/v1/safety/duress", body);
    return {
      sent: true,
      text: `Duress alert sent: the coordinator on call is being alerted${location ? ", with your location" : " (your location was not available)"}. Nobody is called by it: call if you can.`,
    };
  } catch (e) {
    const why = e instanceof Offline ? "this phone has no connection" : errorText(e);
    return { sent: false, text: `Not sent: ${why}. Call instead:` };
  }
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
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ sent: boolean; text: string } | null>(null);
  async function send() {
    if (busy) return;
    setBusy(true);
    setResult(null);
    setResult(await sendDuress());
    setBusy(false);
  }
  return (
    <section class="sheet card" role="dialog" aria-modal="true" aria-labelledby="duress-title">
      <h2 id="duress-title">Duress alert</h2>
      <p class="hint">Alerts the coordinator on call with your location. It does not place a call.</p>
      <button class="danger big" onClick={send} disabled={busy}>
        {busy ? "Sending…" : "Send duress alert now"}
      </button>
      {result && (
        <p role="alert" class={result.sent ? "ok" : "error"} data-test="duress-result">
          {result.text}
        </p>
      )}
      <CallButtons me={me} />
      <button onClick={onClose}>Close</button>
    </section>
  );
}
