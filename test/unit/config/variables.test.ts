/**
 * `apps.frontend.backendUrlVariables`: the variables the smoke test sets to the backend's URL on the
 * frontend. Each must be a variable name, read at run time (no NEXT_PUBLIC_*), and none the image,
 * Node or drydock already relies on; every problem is named with its file, path, what was found and
 * what was expected, with its line and column.
 */
import { describe, expect, it } from "vitest";
import { parseSecurityConfig } from "../../../dagger/src/config/load.ts";
import { DEFAULTS } from "../../../dagger/src/config/schema.ts";
import { RESERVED_VARIABLES } from "../../../dagger/src/config/variables.ts";
import { RUN_VARIABLE } from "../../../dagger/src/smoke/run.ts";
import { FILE, problemsOf, problemsWithPositionsOf, yamlOf } from "./problems.ts";

const KEY = "apps.frontend.backendUrlVariables";
const withVariables = (list: string) => yamlOf("apps:", "  backend: {}", "  frontend:", `    backendUrlVariables: ${list}`);
const variablesOf = (yaml: string | undefined) => parseSecurityConfig(yaml, FILE).config.apps.frontend?.backendUrlVariables;

const NAME_EXPECTED = 'expected an environment variable name like API_URL: a letter or "_", then letters, digits and "_"';

describe("accepted names", () => {
  it.each([
    { name: "no config file: BACKEND_URL, as before", yaml: undefined, value: ["BACKEND_URL"] },
    { name: "a frontend listed without the key", yaml: yamlOf("apps:", "  frontend: {}"), value: ["BACKEND_URL"] },
    { name: "one name", yaml: withVariables("[API_URL]"), value: ["API_URL"] },
    { name: "several names, in the file's order", yaml: withVariables("[SERVER_URL, API_URL, BACKEND_URL]"), value: ["SERVER_URL", "API_URL", "BACKEND_URL"] },
    { name: "a lowercase name", yaml: withVariables("[api_url]"), value: ["api_url"] },
    { name: "a leading underscore and digits", yaml: withVariables("[_API_URL_2]"), value: ["_API_URL_2"] },
    { name: "a block list", yaml: yamlOf("apps:", "  frontend:", "    backendUrlVariables:", "      - API_URL"), value: ["API_URL"] },
    // Next.js inlines NEXT_PUBLIC_ exactly, case and all: a lowercase one is read at run time.
    { name: "a lowercase next_public_ name, which Next does not inline", yaml: withVariables("[next_public_api]"), value: ["next_public_api"] },
    { name: "a name that only contains a reserved one", yaml: withVariables("[PORTAL_URL, MY_PATH]"), value: ["PORTAL_URL", "MY_PATH"] },
  ])("$name", ({ yaml, value }) => {
    expect(variablesOf(yaml)).toEqual(value);
  });

  it("keeps the default in DEFAULTS", () => {
    expect(DEFAULTS.apps.frontend.backendUrlVariables).toEqual(["BACKEND_URL"]);
  });
});

describe("refused names, each naming the file, the entry, what was found and what was expected", () => {
  it.each([
    { name: "one name, not a list", list: "API_URL", problem: `${KEY}: found "API_URL", expected a list` },
    { name: "a mapping", list: "{ API_URL: x }", problem: `${KEY}: found a mapping, expected a list` },
    {
      name: "an empty list",
      list: "[]",
      problem: `${KEY}: found a list of 0 entries, expected at least 1 name — the variable the frontend reads the backend's URL from, like BACKEND_URL or API_URL`,
    },
    { name: "a number", list: "[42]", problem: `${KEY}[0]: found 42, expected a string` },
    { name: "an empty name", list: '[""]', problem: `${KEY}[0]: found "", ${NAME_EXPECTED}` },
    { name: "a name starting with a digit", list: "[1API_URL]", problem: `${KEY}[0]: found "1API_URL", ${NAME_EXPECTED}` },
    { name: "a name with a dash", list: "[API-URL]", problem: `${KEY}[0]: found "API-URL", ${NAME_EXPECTED}` },
    { name: "a name with a dot", list: "[api.url]", problem: `${KEY}[0]: found "api.url", ${NAME_EXPECTED}` },
    { name: "a name with a blank", list: '["API URL"]', problem: `${KEY}[0]: found "API URL", ${NAME_EXPECTED}` },
    { name: "an assignment", list: '["API_URL=http://x"]', problem: `${KEY}[0]: found "API_URL=http://x", ${NAME_EXPECTED}` },
    { name: "a shell expansion", list: '["$(id)"]', problem: `${KEY}[0]: found "$(id)", ${NAME_EXPECTED}` },
    {
      name: "a NEXT_PUBLIC_ name, inlined at build time",
      list: "[NEXT_PUBLIC_API_URL]",
      problem:
        `${KEY}[0]: found "NEXT_PUBLIC_API_URL", expected a variable the server reads when it runs — Next.js inlines NEXT_PUBLIC_* variables into its bundles at \`next build\`, ` +
        "so a value set when the image starts changes nothing, and drydock bakes no smoke-test URL into an image it publishes: " +
        "have the server read the backend's URL from a variable without the prefix (e.g. API_URL) at request time",
    },
    {
      name: "drydock's own prefix",
      list: "[DRYDOCK_BACKEND]",
      problem: `${KEY}[0]: found "DRYDOCK_BACKEND", expected a name that does not start with DRYDOCK_ — drydock's own variables use that prefix: rename the variable`,
    },
    { name: "a repeat", list: "[API_URL, SERVER_URL, API_URL]", problem: `${KEY}[2]: found "API_URL" a second time, expected each name once — remove the repeat` },
  ])("$name", ({ list, problem }) => {
    expect(problemsOf(withVariables(list))).toEqual([`${FILE}: ${problem}`]);
  });

  it.each(Object.entries(RESERVED_VARIABLES).map(([name, why]) => ({ name, why })))("the reserved $name, with the reason", ({ name, why }) => {
    expect(problemsOf(withVariables(`[API_URL, ${name}]`))).toEqual([
      `${FILE}: ${KEY}[1]: found "${name}", expected a variable of the app's own — ${name} is reserved: ${why}; name the variable the frontend reads the backend's URL from`,
    ]);
  });

  it.each(["PORT", "HOSTNAME", "NODE_ENV", "PATH"])("reserves %s", (name) => {
    expect(Object.hasOwn(RESERVED_VARIABLES, name)).toBe(true);
  });

  it("refuses the smoke stage's own run variable", () => {
    expect(problemsOf(withVariables(`[${RUN_VARIABLE}]`))).toEqual([
      `${FILE}: ${KEY}[0]: found "${RUN_VARIABLE}", expected a name that does not start with DRYDOCK_ — drydock's own variables use that prefix: rename the variable`,
    ]);
  });

  it("reports every problem of the list at once, a repeat beside a malformed name, each with its line and column", () => {
    expect(problemsWithPositionsOf(withVariables("[API_URL, 1x, PORT, API_URL]"))).toEqual([
      `${FILE}: ${KEY}[1]: found "1x", ${NAME_EXPECTED} (line 4, column 36)`,
      `${FILE}: ${KEY}[2]: found "PORT", expected a variable of the app's own — PORT is reserved: ${RESERVED_VARIABLES["PORT"]}; name the variable the frontend reads the backend's URL from (line 4, column 40)`,
      `${FILE}: ${KEY}[3]: found "API_URL" a second time, expected each name once — remove the repeat (line 4, column 46)`,
    ]);
  });

  it("is a key of the frontend only", () => {
    expect(problemsOf(yamlOf("apps:", "  backend:", "    backendUrlVariables: [API_URL]"))).toEqual([
      `${FILE}: apps.backend.backendUrlVariables: unknown key — expected one of: path, image, port, healthPath, entrypoint`,
    ]);
  });
});
