import { createContext, useContext } from "react";

export interface Me {
  id: string;
  name: string;
  role: "ADMIN" | "USER" | "VIEWER";
  collector?: string | null;
}

export interface AppState {
  me: Me;
  today: string;
  levels: { level: string; color: string }[];
  /** Opens the alert editor: a new alert (optionally from criteria), or an alert's id. */
  openEditor: (target: { id?: string; criteria?: Record<string, unknown> }) => void;
  signOut: () => void;
}

export const App = createContext<AppState | null>(null);

export function useApp(): AppState {
  const state = useContext(App);
  if (!state) throw new Error("useApp outside the signed-in app");
  return state;
}

/** Rights of SPEC §4 as the screens show them: a VIEWER changes nothing. */
export function canChange(me: Me): boolean {
  return me.role !== "VIEWER";
}
