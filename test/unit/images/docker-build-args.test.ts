/**
 * The `docker build` command docker-build-command prints: which build arguments it gives, that a
 * POSIX shell reads every word back unchanged whatever the config holds (run for real, with a
 * stand-in docker), that it names secret files but never a secret, and how bad arguments are refused.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  dockerBuildArgs,
  dockerBuildCommand,
  dockerBuildLines,
  dockerBuildPlace,
  dockerPnpmVersion,
  shellWord,
  type DockerBuildInput,
} from "../../../dagger/src/images/docker-build-args.ts";
import { NODE_IMAGE } from "../../../dagger/src/images/defaults.ts";
import { ArgumentError } from "../../../dagger/src/errors.ts";
import { repoRoot } from "../../support/paths.js";
import { runWithFakeDocker } from "../../support/sh-argv.js";

const MIRROR = `registry.example.com/node:24.13.1-alpine@sha256:${"a".repeat(64)}`;

/** The backend of examples/app with every module setting at its default. */
const BACKEND: DockerBuildInput = {
  app: "backend",
  settings: { path: "backend", image: "drydock-backend", port: 3000, healthPath: "/health", entrypoint: "dist/main.js" },
  prisma: true,
  pnpmVersion: "12.4.2",
  buildImage: NODE_IMAGE,
  runtimeImage: NODE_IMAGE,
  labels: { version: "0.0.0-dev", revision: "unknown", created: "1970-01-01T00:00:00Z", source: "", licenses: "NOASSERTION" },
  prismaEngines: {},
  place: { context: ".", dockerfile: "Dockerfile.backend", secretFiles: {} },
  moduleSecrets: { npmrc: false, ca: false },
};
const FRONTEND: DockerBuildInput = {
  ...BACKEND,
  app: "frontend",
  settings: { path: "frontend", image: "drydock-frontend", port: 3000, healthPath: "/api/health", entrypoint: "server.js" },
  prisma: false,
  place: { ...BACKEND.place, dockerfile: "Dockerfile.frontend" },
};
const ENGINES = { schemaEngineBinary: "/bin/false", enginesMirror: "https://prisma-mirror.example.com/engines" };

describe("dockerBuildArgs", () => {
  it("gives every argument the Dockerfile takes from the config and the module, defaults included", () => {
    expect(dockerBuildArgs(BACKEND)).toEqual([
      ["BASE_NAME", "docker.io/library/node:24.13.1-alpine"],
      ["BASE_DIGEST", "sha256:4f696fbf39f383c1e486030ba6b289a5d9af541642fc78ab197e584a113b9c03"],
      ["BUILD_IMAGE", NODE_IMAGE],
      ["RUNTIME_IMAGE", NODE_IMAGE],
      ["APP_DIR", "backend"],
      ["PNPM_VERSION", "12.4.2"],
      ["PRISMA", "on"],
      ["ENTRYPOINT", "dist/main.js"],
      ["HEALTH_PATH", "/health"],
      ["PORT", "3000"],
      ["TITLE", "drydock-backend"],
      ["VERSION", "0.0.0-dev"],
      ["REVISION", "unknown"],
      ["CREATED", "1970-01-01T00:00:00Z"],
      ["SOURCE", ""],
      ["LICENSES", "NOASSERTION"],
    ]);
  });

  it.each([
    { name: "a backend without Prisma: PRISMA=off", input: { ...BACKEND, prisma: false }, picked: ["PRISMA"], expected: [["PRISMA", "off"]] },
    { name: "with-prisma's settings, backend only", input: { ...BACKEND, prismaEngines: ENGINES }, picked: ["PRISMA_SCHEMA_ENGINE_BINARY", "PRISMA_ENGINES_MIRROR"], expected: [["PRISMA_SCHEMA_ENGINE_BINARY", "/bin/false"], ["PRISMA_ENGINES_MIRROR", ENGINES.enginesMirror]] },
    { name: "one with-prisma setting: the other is no argument", input: { ...BACKEND, prismaEngines: { enginesMirror: ENGINES.enginesMirror } }, picked: ["PRISMA_SCHEMA_ENGINE_BINARY", "PRISMA_ENGINES_MIRROR"], expected: [["PRISMA_ENGINES_MIRROR", ENGINES.enginesMirror]] },
    { name: "no Prisma argument for the frontend, whatever is set", input: { ...FRONTEND, prisma: true, prismaEngines: ENGINES }, picked: ["PRISMA", "PRISMA_SCHEMA_ENGINE_BINARY", "PRISMA_ENGINES_MIRROR"], expected: [] },
    { name: "the app folder as the build normalises it", input: { ...BACKEND, settings: { ...BACKEND.settings, path: "services/api/" } }, picked: ["APP_DIR"], expected: [["APP_DIR", "services/api"]] },
    { name: "the repository root as the app folder", input: { ...BACKEND, settings: { ...BACKEND.settings, path: "./" } }, picked: ["APP_DIR"], expected: [["APP_DIR", "."]] },
    {
      name: "another runtime base: its name and digest, which the base labels carry, and the build image apart",
      input: { ...BACKEND, runtimeImage: MIRROR, buildImage: NODE_IMAGE },
      picked: ["BASE_NAME", "BASE_DIGEST", "BUILD_IMAGE", "RUNTIME_IMAGE"],
      expected: [["BASE_NAME", "registry.example.com/node:24.13.1-alpine"], ["BASE_DIGEST", `sha256:${"a".repeat(64)}`], ["BUILD_IMAGE", NODE_IMAGE], ["RUNTIME_IMAGE", MIRROR]],
    },
  ])("$name", ({ input, picked, expected }) => {
    expect(dockerBuildArgs(input).filter(([name]) => picked.includes(name))).toEqual(expected);
  });

  it.each(["backend", "frontend"] as const)("gives Dockerfile.%s only arguments it declares, and every one drydock decides", (app) => {
    const declared = new Set([...readFileSync(path.join(repoRoot, `Dockerfile.${app}`), "utf8").matchAll(/^ARG ([A-Z_]+)/gm)].map((m) => m[1]!));
    const given = dockerBuildArgs({ ...(app === "backend" ? BACKEND : FRONTEND), prismaEngines: ENGINES }).map(([name]) => name);
    expect(given.filter((name) => !declared.has(name))).toEqual([]);
    expect([...declared].filter((name) => !given.includes(name)).sort()).toEqual([]);
  });
});

describe("dockerBuildCommand", () => {
  it("prints one command, a flag and its value a line, the context last", () => {
    expect(dockerBuildCommand({ ...FRONTEND, place: { ...FRONTEND.place, tag: "shop-web:1.4.0", secretFiles: { npmrc: "/home/me/.npmrc", ca: "/etc/ssl/proxy ca.pem" } } })).toBe(
      [
        "DOCKER_BUILDKIT=1 docker build \\",
        "  --file Dockerfile.frontend \\",
        "  --tag shop-web:1.4.0 \\",
        "  --target runtime \\",
        "  --build-arg BASE_NAME=docker.io/library/node:24.13.1-alpine \\",
        "  --build-arg BASE_DIGEST=sha256:4f696fbf39f383c1e486030ba6b289a5d9af541642fc78ab197e584a113b9c03 \\",
        `  --build-arg BUILD_IMAGE=${NODE_IMAGE} \\`,
        `  --build-arg RUNTIME_IMAGE=${NODE_IMAGE} \\`,
        "  --build-arg APP_DIR=frontend \\",
        "  --build-arg PNPM_VERSION=12.4.2 \\",
        "  --build-arg ENTRYPOINT=server.js \\",
        "  --build-arg HEALTH_PATH=/api/health \\",
        "  --build-arg PORT=3000 \\",
        "  --build-arg TITLE=drydock-frontend \\",
        "  --build-arg VERSION=0.0.0-dev \\",
        "  --build-arg REVISION=unknown \\",
        "  --build-arg CREATED=1970-01-01T00:00:00Z \\",
        "  --build-arg SOURCE= \\",
        "  --build-arg LICENSES=NOASSERTION \\",
        "  --secret id=npmrc,src=/home/me/.npmrc \\",
        "  --secret 'id=ca,src=/etc/ssl/proxy ca.pem' \\",
        "  .",
        "",
      ].join("\n"),
    );
  });

  it("tags the image with the config's image name unless told otherwise", () => {
    expect(dockerBuildLines(BACKEND)[2]).toEqual(["--tag", "drydock-backend"]);
  });

  it.each([
    { name: "with-npmrc without a file", secrets: { npmrc: true, ca: false }, files: {}, notes: ["# with-npmrc is set: add --secret id=npmrc,src=\"$HOME/.npmrc\""] },
    { name: "with-ca-certificates without a file", secrets: { npmrc: false, ca: true }, files: {}, notes: ["# with-ca-certificates is set: add --secret id=ca,src=<the PEM file>"] },
    { name: "both, each with a file", secrets: { npmrc: true, ca: true }, files: { npmrc: "/n", ca: "/c" }, notes: [] },
    { name: "neither", secrets: { npmrc: false, ca: false }, files: {}, notes: [] },
  ])("notes a secret the Dagger build mounts and the command does not name: $name", ({ secrets, files, notes }) => {
    const text = dockerBuildCommand({ ...BACKEND, moduleSecrets: secrets, place: { ...BACKEND.place, secretFiles: files } });
    const comments = text.split("\n").filter((line) => line.startsWith("#"));
    expect(comments.map((line) => line.split(" (")[0])).toEqual(notes);
    expect(text.split("\n").findIndex((line) => line.startsWith("DOCKER_BUILDKIT=1"))).toBe(notes.length);
  });
});

/** Text a shell would act on if it reached it unquoted; each would create a file in the working folder. */
const HOSTILE = [
  "$(touch dollar-paren)",
  "`touch backtick`",
  "x'; touch single-quote; echo '",
  'x"; touch double-quote; echo "',
  "x\ntouch newline\n",
  "x; touch semicolon",
  "x && touch and-and | touch pipe",
  "$HOME ${HOME} $((1+1)) $1 $@",
  "a\\'b\\\\c\\",
  "* ?  [a-z] ~ ~root {a,b}",
  "#not a comment",
  "-flag",
  "",
  "  leading and trailing  ",
  "tab\there\r\ncr",
  "unicode: é ✓ \u202e",
  "'",
  "''",
  "\\",
];

describe("shellWord", () => {
  it.each([
    ["backend", "backend"],
    ["--build-arg", "--build-arg"],
    ["HEALTH_PATH=/_internal/health-check.v2", "HEALTH_PATH=/_internal/health-check.v2"],
    [`BUILD_IMAGE=${NODE_IMAGE}`, `BUILD_IMAGE=${NODE_IMAGE}`],
    ["id=npmrc,src=/home/me/.npmrc", "id=npmrc,src=/home/me/.npmrc"],
    ["SOURCE=", "SOURCE="],
    ["", "''"],
    ["a b", "'a b'"],
    ["it's", "'it'\\''s'"],
    ["~/x", "'~/x'"],
    ["{a,b}", "'{a,b}'"],
  ])("%j → %s", (word, quoted) => {
    expect(shellWord(word)).toBe(quoted);
  });

  it.each(["/bin/sh", "/bin/bash"])("is read back by %s as the very word, whatever it holds", (shell) => {
    const { argv, created } = runWithFakeDocker(`docker ${HOSTILE.map(shellWord).join(" ")}`, shell);
    expect(argv).toEqual(HOSTILE);
    expect(created).toEqual([]);
  });
});

describe("the printed command, run by a shell", () => {
  /** Every value the command carries, hostile; pinned images stay pinned, as the module checks them before. */
  const hostileInput = (value: (slot: string) => string): DockerBuildInput => ({
    app: "backend",
    settings: { path: value("path"), image: value("image"), port: 3000, healthPath: value("healthPath"), entrypoint: value("entrypoint") },
    prisma: true,
    pnpmVersion: value("pnpm"),
    buildImage: value("buildImage"),
    runtimeImage: MIRROR,
    labels: { version: value("version"), revision: value("revision"), created: value("created"), source: value("source"), licenses: value("licenses") },
    prismaEngines: { schemaEngineBinary: value("binary"), enginesMirror: value("mirror") },
    place: { context: value("context"), dockerfile: value("dockerfile"), tag: value("tag"), secretFiles: { npmrc: value("npmrc"), ca: value("ca") } },
    moduleSecrets: { npmrc: true, ca: true },
  });

  it.each(HOSTILE.map((text, i) => ({ i, text })))("gives docker exactly the words built, and runs nothing else, with every value $i: $text", ({ text }) => {
    // Each slot gets the hostile text with its name, so a value landing in another slot is seen.
    const input = hostileInput((slot) => `${slot}:${text}`);
    const printed = dockerBuildCommand(input);
    for (const shell of ["/bin/sh", "/bin/bash"]) {
      const run = runWithFakeDocker(printed, shell);
      expect(run).toEqual({ buildkit: "1", argv: dockerBuildLines(input).flat().slice(2), created: [] });
    }
  });

  it("keeps each value the word after its flag, where docker takes it as the flag's value, even when it looks like a flag", () => {
    // The context alone stands by itself: dockerBuildPlace refuses one starting with "-".
    const input = { ...hostileInput((slot) => `--${slot}=x`), place: { ...hostileInput((slot) => `--${slot}=x`).place, context: "." } };
    const { argv } = runWithFakeDocker(dockerBuildCommand(input));
    const pairs = Array.from({ length: (argv.length - 2) / 2 }, (_, i) => argv.slice(1 + 2 * i, 3 + 2 * i));
    expect([argv[0], ...pairs.map(([flag]) => flag), argv.at(-1)]).toEqual(["build", "--file", "--tag", "--target", ...Array<string>(18).fill("--build-arg"), "--secret", "--secret", "."]);
    // Every value carries its slot's flag-like text, after NAME= or id=…,src= where docker expects those: all but the fixed target, the runtime base's (checked as pinned), PRISMA and PORT.
    expect(pairs.filter(([, value]) => !/^(?:[A-Z_]+=|id=(?:npmrc|ca),src=)?--[a-zA-Z]+=x$/.test(value!)).map(([, value]) => value!.split("=")[0])).toEqual(["runtime", "BASE_NAME", "BASE_DIGEST", "RUNTIME_IMAGE", "PRISMA", "PORT"]);
  });
});

describe("dockerPnpmVersion", () => {
  it.each([
    { given: undefined, expected: "12.4.2" },
    { given: "12.4.2", expected: "12.4.2" },
  ])("is packageManager's pnpm when with-pnpm-version names none or the same: $given", ({ given, expected }) => {
    expect(dockerPnpmVersion(given, "12.4.2", "backend/package.json")).toBe(expected);
  });

  it("refuses another pnpm than packageManager's, which the Dockerfiles' layout stage would refuse", () => {
    expect(() => dockerPnpmVersion("12.5.0", "12.4.2", "package.json")).toThrow(
      new ArgumentError({
        where: "--pnpm-version",
        found: '"12.5.0" (with-pnpm-version), while package.json names pnpm@12.4.2 in packageManager',
        expected: "the pnpm packageManager names: the Dockerfiles' layout stage refuses any other PNPM_VERSION",
        fix: 'leave out with-pnpm-version for docker-build-command, or set packageManager in package.json to "pnpm@12.5.0" and run pnpm install with it',
      }),
    );
  });
});

describe("dockerBuildPlace", () => {
  it("defaults to the Dockerfile beside the caller, the current folder as the context, and the config's image name as the tag", () => {
    expect(dockerBuildPlace("frontend", {})).toEqual({ context: ".", dockerfile: "Dockerfile.frontend", secretFiles: {} });
  });

  it("takes what it is given", () => {
    expect(dockerBuildPlace("backend", { context: "../shop", dockerfile: "../drydock/Dockerfile.backend", tag: "registry.example.com:5000/acme/shop-api:1.4.0", npmrcPath: "/home/me/my .npmrc", caCertificatesPath: "./ca.pem" })).toEqual({
      context: "../shop",
      dockerfile: "../drydock/Dockerfile.backend",
      tag: "registry.example.com:5000/acme/shop-api:1.4.0",
      secretFiles: { npmrc: "/home/me/my .npmrc", ca: "./ca.pem" },
    });
  });

  it.each([
    { name: "a context docker would read as a flag", given: { context: "--output=/tmp/x" }, where: "--context", found: '"--output=/tmp/x"' },
    { name: "an empty context", given: { context: "" }, where: "--context", found: '""' },
    { name: "a Dockerfile docker would read as a flag", given: { dockerfile: "-" }, where: "--dockerfile", found: '"-"' },
    { name: "a Dockerfile path over two lines", given: { dockerfile: "Dockerfile\n.backend" }, where: "--dockerfile", found: '"Dockerfile\\n.backend"' },
    { name: "an npmrc path with a comma, which would add a secret option", given: { npmrcPath: "/tmp/x,id=other" }, where: "--npmrc-path", found: '"/tmp/x,id=other"' },
    { name: "an npmrc path with a double quote", given: { npmrcPath: '"/tmp/x' }, where: "--npmrc-path", found: '"\\"/tmp/x"' },
    { name: "an npmrc path with a leading ~, which stays unexpanded in quotes", given: { npmrcPath: "~/.npmrc" }, where: "--npmrc-path", found: '"~/.npmrc"' },
    { name: "a CA path over two lines", given: { caCertificatesPath: "/tmp/ca\n.pem" }, where: "--ca-certificates-path", found: '"/tmp/ca\\n.pem"' },
    { name: "an uppercase tag", given: { tag: "Shop-API:1" }, where: "--tag", found: '"Shop-API:1"' },
    { name: "a tag with a blank", given: { tag: "shop api" }, where: "--tag", found: '"shop api"' },
    { name: "a tag with a digest", given: { tag: `shop@sha256:${"a".repeat(64)}` }, where: "--tag", found: `"shop@sha256:${"a".repeat(64)}"` },
  ])("refuses $name, naming the argument", ({ given, where, found }) => {
    const thrown = (() => {
      try {
        dockerBuildPlace("backend", given);
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toBeInstanceOf(ArgumentError);
    expect((thrown as ArgumentError).problem).toMatchObject({ where, found });
    expect((thrown as Error).message).toMatch(/ — pass /);
  });
});

describe("the module of the builder", () => {
  it("imports no Dagger, directly or through what it imports", () => {
    const seen = new Set<string>();
    const visit = (file: string): string[] => {
      if (seen.has(file)) return [];
      seen.add(file);
      const text = readFileSync(file, "utf8");
      // Type-only imports are erased; every other import is loaded with the module.
      const specifiers = [...text.matchAll(/^import (?!type )[^;]*? from "([^"]+)";/gms)].map((m) => m[1]!);
      return specifiers.flatMap((specifier) =>
        specifier.startsWith(".") ? visit(path.resolve(path.dirname(file), specifier.replace(/\.js$/, ".ts"))) : specifier.startsWith("@dagger.io/") ? [`${path.relative(repoRoot, file)} imports ${specifier}`] : [],
      );
    };
    expect(visit(path.join(repoRoot, "dagger/src/images/docker-build-args.ts"))).toEqual([]);
    expect(seen.size).toBeGreaterThan(3);
  });
});
