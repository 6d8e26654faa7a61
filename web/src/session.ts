/**
 * The signed-in user: tokens and profile, kept for the browser tab only.
 *
 * sessionStorage (not localStorage) so that closing the tab on a shared
 * court computer ends the session; tokens never reach the URL.
 */

import { config } from "./config";

export type Role = "ADMIN" | "JUDGE" | "CLERK" | "LAWYER" | "CITIZEN";

export interface Profile {
  username: string;
  role: Role;
  full_name: string | null;
  courts: string[];
}

interface Stored {
  idToken: string;
  refreshToken: string | null;
  profile: Profile | null;
}

const KEY = "justicia.session";

function load(): Stored | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Stored) : null;
  } catch {
    return null;
  }
}

function save(stored: Stored | null): void {
  try {
    if (stored) sessionStorage.setItem(KEY, JSON.stringify(stored));
    else sessionStorage.removeItem(KEY);
  } catch {
    // Storage refused: the session lives in memory for this page only.
  }
  memory = stored;
}

let memory: Stored | null = load();

export const session = {
  idToken(): string | null {
    return memory?.idToken ?? null;
  },

  profile(): Profile | null {
    return memory?.profile ?? null;
  },

  start(idToken: string, refreshToken: string | null): void {
    save({ idToken, refreshToken, profile: null });
  },

  setProfile(profile: Profile): void {
    if (memory) save({ ...memory, profile });
  },

  clear(): void {
    save(null);
  },

  /** Trade the refresh token for a new ID token; false when that is refused. */
  async renew(): Promise<boolean> {
    const refreshToken = memory?.refreshToken;
    if (!refreshToken) return false;
    try {
      const answer = await fetch(`${config().apiBase}/auth/refresh`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh_token: refreshToken }),
      });
      if (!answer.ok) return false;
      const tokens = (await answer.json()) as { id_token: string };
      if (memory) save({ ...memory, idToken: tokens.id_token });
      return true;
    } catch {
      return false;
    }
  },
};
