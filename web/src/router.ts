/**
 * Hash routes (`#/cases/<id>/documents`): a static host such as S3 behind
 * CloudFront serves index.html for every screen without rewrite rules.
 */

export type Params = Record<string, string>;
export type Screen = (view: HTMLElement, params: Params, query: URLSearchParams) => Promise<void> | void;

interface Route {
  parts: string[];
  screen: Screen;
  isPublic: boolean;
}

const routes: Route[] = [];

/** Register `pattern` such as `/cases/:id/:tab`; `:name` parts become params. */
export function route(pattern: string, screen: Screen, isPublic = false): void {
  routes.push({ parts: split(pattern), screen, isPublic });
}

function split(path: string): string[] {
  return path.split("/").filter(Boolean);
}

export interface Match {
  screen: Screen;
  params: Params;
  query: URLSearchParams;
  isPublic: boolean;
}

/** The route for the current hash, or null. */
export function match(hash: string): Match | null {
  const [path = "", search = ""] = hash.replace(/^#/, "").split("?");
  const parts = split(path);
  for (const candidate of routes) {
    const params = matchParts(candidate.parts, parts);
    if (params) {
      return { screen: candidate.screen, params, query: new URLSearchParams(search), isPublic: candidate.isPublic };
    }
  }
  return null;
}

function matchParts(pattern: string[], parts: string[]): Params | null {
  if (pattern.length !== parts.length) return null;
  const params: Params = {};
  for (const [index, piece] of pattern.entries()) {
    const part = parts[index] ?? "";
    if (piece.startsWith(":")) params[piece.slice(1)] = decodeURIComponent(part);
    else if (piece !== part) return null;
  }
  return params;
}

export function go(path: string): void {
  const target = `#${path}`;
  if (location.hash === target) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = target;
}

export function href(path: string): string {
  return `#${path}`;
}
