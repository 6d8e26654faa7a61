/**
 * Start the court web app: read the configuration, set the language and
 * direction, register the screens, and render the one the address names.
 */

import "./styles.css";
import { ApiError, whenSessionLost } from "./api";
import { loadConfig } from "./config";
import { h, replace } from "./dom";
import { loadProfile } from "./domain";
import { applyLanguage, onLanguageChange, t } from "./i18n";
import { go, match, route } from "./router";
import { homeScreen } from "./screens/home";
import { casesScreen } from "./screens/cases";
import { cardScreen } from "./screens/card";
import { documentScreen } from "./screens/documents";
import { hearingsScreen } from "./screens/hearings";
import { loginScreen } from "./screens/login";
import { trackScreen, verifyScreen } from "./screens/public";
import { registerScreen } from "./screens/register";
import { searchScreen } from "./screens/search";
import { statisticsScreen } from "./screens/statistics";
import { usersScreen } from "./screens/users";
import { reportsScreen } from "./screens/reports";
import { restoreValues, typedValues } from "./keep";
import { session } from "./session";
import { shell } from "./shell";
import { errorAlert } from "./ui";

route("/login", loginScreen, true);
route("/track", trackScreen, true);
route("/verify", verifyScreen, true);
route("/", homeScreen);
route("/cases", casesScreen);
route("/cases/new", registerScreen);
route("/cases/:id/documents/:doc", documentScreen);
route("/cases/:id/:tab", cardScreen);
route("/cases/:id", cardScreen);
route("/hearings", hearingsScreen);
route("/users", usersScreen);
route("/reports", reportsScreen);
route("/search", searchScreen);
route("/statistics", statisticsScreen);

const root = document.getElementById("app") as HTMLElement;
let renderCount = 0;

function currentPath(): string {
  return (location.hash.replace(/^#/, "").split("?")[0] ?? "") || "/";
}

async function render(): Promise<void> {
  const count = ++renderCount;
  const found = match(location.hash || "#/");
  if (found && !found.isPublic && !session.idToken()) {
    go(`/login?next=${encodeURIComponent(currentPath())}`);
    return;
  }
  if (session.idToken() && !session.profile()) {
    await loadProfile().catch(() => session.clear());
  }
  if (count !== renderCount) return;
  const { frame, main } = shell(currentPath());
  replace(root, frame);
  if (!found) {
    replace(main, h("h1", {}, t("app.notFound")));
    return;
  }
  try {
    await found.screen(main, found.params, found.query);
  } catch (error) {
    if (count !== renderCount) return;
    if (error instanceof ApiError && error.status === 401) return;
    replace(main, errorAlert(error));
  }
  if (count === renderCount) main.querySelector("h1")?.setAttribute("tabindex", "-1");
}

/** After navigation, move focus to the new page's heading for screen readers. */
async function navigate(): Promise<void> {
  await render();
  const heading = document.querySelector<HTMLElement>("main h1");
  if (heading && !document.activeElement?.closest("main form")) heading.focus({ preventScroll: true });
}

async function start(): Promise<void> {
  applyLanguage();
  await loadConfig();
  whenSessionLost(() => go(`/login?expired=1&next=${encodeURIComponent(currentPath())}`));
  onLanguageChange(() => {
    const typed = typedValues();
    void render().then(() => restoreValues(typed));
  });
  window.addEventListener("hashchange", () => void navigate());
  await render();
}

void start();
