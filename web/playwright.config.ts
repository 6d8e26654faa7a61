import { defineConfig } from "@playwright/test";

/**
 * End-to-end tests of the court web app in Debian's Chromium, headless,
 * against a running local system (`tests/e2e/test_web_app.py` starts one and
 * sets JUSTICIA_WEB_URL). No browser is ever downloaded: the executable is
 * the system's, and every background network feature of Chromium is off.
 */
export default defineConfig({
  testDir: "./e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    baseURL: process.env.JUSTICIA_WEB_URL ?? "http://127.0.0.1:8080",
    viewport: { width: 1280, height: 860 },
    locale: "fr-MA",
    timezoneId: "Africa/Casablanca",
    launchOptions: {
      executablePath: process.env.JUSTICIA_CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
});
