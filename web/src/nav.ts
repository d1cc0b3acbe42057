// The app's screens, kept in memory only (never in the URL), and how a screen asks for another.

export type Screen =
  | { name: "alerts" }
  | { name: "alert"; id: string }
  | { name: "oncall" }
  | { name: "directory" }
  | { name: "nearby" }
  | { name: "contact" }
  | { name: "plans" }
  | { name: "raise" }
  | { name: "safety" };

export type Nav = (screen: Screen) => void;

/** What a screen with unsaved work says before it is left (none: nothing to lose). */
let leaveGuard: (() => string | null) | null = null;
export function setLeaveGuard(g: (() => string | null) | null) {
  leaveGuard = g;
}

/** Whether the current screen may be left now: asks first when it has unsaved work. */
export function mayLeave(): boolean {
  const why = leaveGuard?.();
  if (why && !confirm(why)) return false;
  leaveGuard = null;
  return true;
}
