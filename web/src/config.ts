/**
 * Run-time configuration: where the API is.
 *
 * The same build runs locally (the dev server proxies `/api`) and in AWS
 * (CloudFront serves the bucket; the deployment writes `config.json` with the
 * API Gateway address). Nothing about the API is baked into the bundle.
 */

export interface AppConfig {
  /** Base address of the API, without a trailing slash ("/api" or "https://..."). */
  apiBase: string;
}

let current: AppConfig = { apiBase: "/api" };

export async function loadConfig(): Promise<AppConfig> {
  try {
    const answer = await fetch("config.json", { cache: "no-store" });
    if (answer.ok) {
      const body = (await answer.json()) as Partial<AppConfig>;
      if (typeof body.apiBase === "string" && body.apiBase) {
        current = { apiBase: body.apiBase.replace(/\/+$/, "") };
      }
    }
  } catch {
    // No config.json: keep the default, the API behind the same origin.
  }
  return current;
}

export function config(): AppConfig {
  return current;
}
