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
