/**
 * `apps.frontend.backendUrlVariables`: the environment variables that carry the backend's URL to
 * the frontend when the smoke stage starts it. The names become environment variables of the image
 * under test, so each must be one a process can read, must not overwrite what the image or Node
 * itself reads, and must take effect at run time. Messages start with "expected …" (see schema.ts).
 */
import { z } from "zod";

import { ALWAYS } from "./cross-checks.js";

/** What a POSIX shell and every orchestrator accept as a variable name. */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Names whose value the image or the runtime already relies on: the backend's URL there would
 * change the image under test (or stop node starting) instead of telling it where the backend is.
 * The image's own come from the runtime stage (images/runtime.ts, images/frontend.ts; a plan test
 * keeps them listed here).
 */
export const RESERVED_VARIABLES: Readonly<Record<string, string>> = {
  PATH: "the image finds node through it",
  NODE_ENV: "the image runs with NODE_ENV=production",
  PORT: "it is the port the frontend listens on (apps.frontend.port)",
  HOSTNAME: "Next's server binds to the address it names (0.0.0.0 in the image)",
  HEALTH_PATH: "the image's healthcheck probes the path it names (apps.frontend.healthPath)",
  NEXT_TELEMETRY_DISABLED: "the image turns Next's telemetry off with it",
  NODE_OPTIONS: "node reads its own command-line options from it",
  NODE_PATH: "node resolves modules from the folders it names",
  NODE_EXTRA_CA_CERTS: "node reads extra CA certificates from the file it names",
  LD_PRELOAD: "the dynamic loader loads the libraries it names into node",
  LD_LIBRARY_PATH: "the dynamic loader finds node's libraries through it",
};

/** drydock's own variables (DRYDOCK_SMOKE_RUN): a configured name never replaces one of them. */
export const DRYDOCK_PREFIX = "DRYDOCK_";

/** What Next.js inlines into its bundles at `next build`; case-sensitive, as Next matches it. */
export const BUILD_TIME_PREFIX = "NEXT_PUBLIC_";

/** Why `name` cannot carry the backend's URL, as "expected … — fix", or undefined when it can. */
export function refusedVariable(name: string): string | undefined {
  if (name.startsWith(BUILD_TIME_PREFIX)) {
    return (
      `expected a variable the server reads when it runs — Next.js inlines ${BUILD_TIME_PREFIX}* variables into its bundles at \`next build\`, ` +
      "so a value set when the image starts changes nothing, and drydock bakes no smoke-test URL into an image it publishes: " +
      "have the server read the backend's URL from a variable without the prefix (e.g. API_URL) at request time"
    );
  }
  if (name.startsWith(DRYDOCK_PREFIX)) return `expected a name that does not start with ${DRYDOCK_PREFIX} — drydock's own variables use that prefix: rename the variable`;
  const reserved = Object.hasOwn(RESERVED_VARIABLES, name) ? RESERVED_VARIABLES[name] : undefined;
  if (reserved !== undefined) return `expected a variable of the app's own — ${name} is reserved: ${reserved}; name the variable the frontend reads the backend's URL from`;
  return undefined;
}

const VariableName = z
  .string()
  // Not aborting: an explicit abort would also stop the list's check for repeats.
  .regex(VARIABLE_NAME, { error: 'expected an environment variable name like API_URL: a letter or "_", then letters, digits and "_"' })
  .superRefine((name, ctx) => {
    // A malformed name has its own issue already.
    const refused = VARIABLE_NAME.test(name) ? refusedVariable(name) : undefined;
    if (refused !== undefined) ctx.addIssue({ code: "custom", input: name, message: refused });
  });

/** Each name once: a repeat sets nothing more and reads like a typo of another name. */
function rejectRepeats(names: unknown, ctx: z.RefinementCtx): void {
  if (!Array.isArray(names)) return;
  names.forEach((name: unknown, index) => {
    if (typeof name !== "string" || names.indexOf(name) === index) return;
    ctx.addIssue({
      code: "custom",
      path: [index],
      input: name,
      params: { found: `${JSON.stringify(name)} a second time` },
      message: "expected each name once — remove the repeat",
    });
  });
}

/** The list as the schema takes it; schema.ts adds the default and the description. */
export const BackendUrlVariables = z
  .array(VariableName)
  .min(1, { error: "expected at least 1 name — the variable the frontend reads the backend's URL from, like BACKEND_URL or API_URL" })
  // Also when a name is malformed: every problem of the list at once.
  .superRefine(rejectRepeats, ALWAYS);
