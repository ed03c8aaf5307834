/**
 * `apps`: any subset of backend and frontend. Absent, both apps at their defaults; present,
 * exactly the apps listed; empty, an error with its line and column. The helpers every function
 * builds through (listedApps, appConfig, listedApp) and the error of an app the config does
 * not list.
 */
import { describe, expect, it } from "vitest";
import { appConfig, listedApp, listedApps, unlistedAppError } from "../../../dagger/src/config/apps.ts";
import { effectiveConfigYaml } from "../../../dagger/src/config/effective.ts";
import { parseSecurityConfig } from "../../../dagger/src/config/load.ts";
import { DEFAULTS } from "../../../dagger/src/config/schema.ts";
import { ArgumentError } from "../../../dagger/src/errors.ts";
import { FILE, problemsOf, problemsWithPositionsOf, yamlOf } from "./problems.ts";

const BACKEND = { ...DEFAULTS.apps.backend };
const FRONTEND = { ...DEFAULTS.apps.frontend };
const appsOf = (yaml: string | undefined) => parseSecurityConfig(yaml, FILE).config.apps;

describe("apps absent: both apps at their defaults, as before", () => {
  it.each([
    { name: "no config file", yaml: undefined },
    { name: "a file without apps", yaml: yamlOf("version: 1", "policy:", "  ignoreUnfixed: true") },
  ])("$name", ({ yaml }) => {
    expect(appsOf(yaml)).toEqual({ backend: BACKEND, frontend: FRONTEND });
    expect(listedApps(parseSecurityConfig(yaml, FILE))).toEqual(["backend", "frontend"]);
  });
});

describe("apps present: exactly the apps listed", () => {
  it("a backend alone, with every default, has no frontend", () => {
    const apps = appsOf(yamlOf("apps:", "  backend: {}"));
    expect(apps).toEqual({ backend: BACKEND });
    expect("frontend" in apps).toBe(false);
    expect(listedApps(parseSecurityConfig(yamlOf("apps:", "  backend: {}"), FILE))).toEqual(["backend"]);
  });

  it("a frontend alone keeps its own settings and has no backend", () => {
    const yaml = yamlOf("apps:", "  frontend:", "    path: web", "    port: 8080");
    expect(appsOf(yaml)).toEqual({ frontend: { ...FRONTEND, path: "web", port: 8080 } });
    expect(listedApps(parseSecurityConfig(yaml, FILE))).toEqual(["frontend"]);
  });

  it("both listed, both built, in the order backend, frontend whatever the file's order", () => {
    const yaml = yamlOf("apps:", "  frontend: {}", "  backend: {}");
    expect(appsOf(yaml)).toEqual({ backend: BACKEND, frontend: FRONTEND });
    expect(listedApps(parseSecurityConfig(yaml, FILE))).toEqual(["backend", "frontend"]);
  });

  it("check-config prints the apps listed and no other, and its output reads back the same", () => {
    const loaded = parseSecurityConfig(yamlOf("apps:", "  frontend: {}"), FILE);
    const printed = effectiveConfigYaml(loaded);
    const appsSection = /^apps:\n((?: {2}.*\n)+)/m.exec(printed)?.[1] ?? "";
    expect(appsSection).toMatch(/^ {2}frontend:$/m);
    // The frontend's own backendUrlVariables may name a backend; no backend app is listed.
    expect(appsSection).not.toMatch(/^ {2}backend:/m);
    expect(parseSecurityConfig(printed, FILE).config).toEqual(loaded.config);
  });
});

describe("apps that lists no app is an error", () => {
  const NO_APP =
    "apps: found no app, expected at least one of backend, frontend — list the apps the repository has (e.g. `backend: {}` for a backend with every default), or leave `apps` out to build both with their defaults";

  it.each([
    { name: "an empty flow mapping", yaml: yamlOf("version: 1", "apps: {}"), at: "(line 2, column 7)" },
    { name: "an empty mapping after other settings", yaml: yamlOf("smoke:", "  enabled: false", "apps: {}  # nothing yet"), at: "(line 3, column 7)" },
  ])("$name, with its line and column", ({ yaml, at }) => {
    expect(problemsWithPositionsOf(yaml)).toEqual([`${FILE}: ${NO_APP} ${at}`]);
  });

  it("an unknown app alone gets its own error, not a second one", () => {
    expect(problemsOf(yamlOf("apps:", "  fronted: {}"))).toEqual([`${FILE}: apps.fronted: unknown key — did you mean "frontend"?`]);
  });

  it("an app written with nothing after it says how to list it with every default", () => {
    expect(problemsWithPositionsOf(yamlOf("apps:", "  backend:"))).toEqual([
      `${FILE}: apps.backend: found an empty value, expected a mapping — write {} to list the app with every default (line 2, column 11)`,
    ]);
  });
});

describe("the distinct-apps check with one app", () => {
  it.each([
    { name: "a frontend alone in the backend's default folder", yaml: yamlOf("apps:", "  frontend:", "    path: backend") },
    { name: "a frontend alone under the backend's default image name", yaml: yamlOf("apps:", "  frontend:", "    image: drydock-backend") },
    { name: "a backend alone in the frontend's default folder and image", yaml: yamlOf("apps:", "  backend:", "    path: frontend", "    image: drydock-frontend") },
  ])("accepts $name: there is no other app to collide with", ({ yaml }) => {
    expect(() => parseSecurityConfig(yaml, FILE)).not.toThrow();
  });

  it("still refuses a frontend in the folder of a backend listed with its defaults", () => {
    expect(problemsOf(yamlOf("apps:", "  backend: {}", "  frontend:", "    path: backend"))).toEqual([
      `${FILE}: apps.frontend.path: found "backend", expected a different path from apps.backend.path — two apps cannot be built from one folder`,
    ]);
  });
});

describe("a function of an app the config does not list", () => {
  const backendOnly = parseSecurityConfig(yamlOf("apps:", "  backend: {}"), FILE);

  it("fails naming the config file, the key, what was found and the fix", () => {
    expect(() => appConfig(backendOnly, "frontend", "frontend")).toThrow(ArgumentError);
    expect(() => listedApp(backendOnly, "frontend", "app --name=frontend image")).toThrow(
      "security-config.yml: apps: found no frontend, expected apps.frontend for `app --name=frontend image` — add apps.frontend to security-config.yml, or call a function of an app it lists (backend)",
    );
  });

  it("reads the app's settings when the config lists it", () => {
    expect(appConfig(backendOnly, "backend", "backend")).toEqual(BACKEND);
    expect(listedApp(backendOnly, "backend", "backend")).toEqual({ name: "backend", settings: BACKEND, file: FILE });
  });

  it("phrases the error as the issue asks, for a config given with --config", () => {
    expect(unlistedAppError("org-security.yml", "backend", "backend", ["frontend"]).message).toBe(
      "org-security.yml: apps: found no backend, expected apps.backend for `backend` — add apps.backend to org-security.yml, or call a function of an app it lists (frontend)",
    );
  });
});
