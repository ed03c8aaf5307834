/**
 * The `docker build` command that builds an app's image with Dockerfile.<app> the way drydock
 * builds it: every build argument the Dagger build takes from security-config.yml and the module's
 * settings, spelled out (so a Dockerfile default never decides), each word quoted for a POSIX
 * shell. Pure: the caller reads the config, the source and the module's state; no secret is ever
 * an input, only the paths a user names for BuildKit's --secret.
 */
import path from "node:path/posix";

import type { AppName } from "../config/app-names.js";
import { ArgumentError } from "../errors.js";
import { IMAGE_NAME, IMAGE_REGISTRY, IMAGE_TAG, parsePinnedImage } from "../pinned-image.js";
import { normalFolder } from "../workspace.js";

/** apps.<app> of the config, every default filled in. */
export interface DockerAppSettings {
  path: string;
  image: string;
  port: number;
  healthPath: string;
  entrypoint: string;
}

/** Where and as what docker builds: named by the caller, never read. */
export interface DockerBuildPlace {
  /** The build context as docker sees it: the application repository root. */
  context: string;
  /** The Dockerfile's path as docker sees it. */
  dockerfile: string;
  /** Absent: the config's apps.<app>.image. */
  tag?: string;
  /** Files for BuildKit's secrets, by secret id. */
  secretFiles: { npmrc?: string; ca?: string };
}

/** Everything the command is made of. */
export interface DockerBuildInput {
  app: AppName;
  settings: DockerAppSettings;
  /** Whether the backend uses Prisma, as the Dagger build detects it in the source; not read for the frontend. */
  prisma: boolean;
  pnpmVersion: string;
  buildImage: string;
  runtimeImage: string;
  /** The OCI label values with-labels sets. */
  labels: { version: string; revision: string; created: string; source: string; licenses: string };
  /** with-prisma's settings; one not set is no build argument at all, as Prisma reads an empty variable differently. */
  prismaEngines: { schemaEngineBinary?: string; enginesMirror?: string };
  place: DockerBuildPlace;
  /** Secrets the module mounts (with-npmrc, with-ca-certificates), so the command can say the build needs them too. */
  moduleSecrets: { npmrc: boolean; ca: boolean };
}

/**
 * The build arguments, in the order the Dockerfiles' header lists them. Only arguments the app's
 * Dockerfile declares (Docker warns about, and ignores, any other): Dockerfile.frontend has no Prisma.
 */
export function dockerBuildArgs(input: DockerBuildInput): [string, string][] {
  const { settings, labels, prismaEngines } = input;
  // The runtime base's name and digest are also its org.opencontainers.image.base.* labels.
  const base = parsePinnedImage(input.runtimeImage, "runtime image");
  const backend = input.app === "backend";
  return [
    ["BASE_NAME", base.baseName],
    ["BASE_DIGEST", base.digest],
    ["BUILD_IMAGE", input.buildImage],
    ["RUNTIME_IMAGE", input.runtimeImage],
    // As the Dagger build normalises it: no trailing "/" to double in `COPY ${APP_DIR}/`.
    ["APP_DIR", normalFolder(settings.path)],
    ["PNPM_VERSION", input.pnpmVersion],
    ...(backend ? [["PRISMA", input.prisma ? "on" : "off"] as [string, string]] : []),
    ["ENTRYPOINT", settings.entrypoint],
    ["HEALTH_PATH", settings.healthPath],
    ["PORT", String(settings.port)],
    ["TITLE", settings.image],
    ["VERSION", labels.version],
    ["REVISION", labels.revision],
    ["CREATED", labels.created],
    // Given even when empty: `--build-arg SOURCE` without "=" would take the variable of the caller's shell.
    ["SOURCE", labels.source],
    ["LICENSES", labels.licenses],
    ...(backend && prismaEngines.schemaEngineBinary !== undefined ? [["PRISMA_SCHEMA_ENGINE_BINARY", prismaEngines.schemaEngineBinary] as [string, string]] : []),
    ...(backend && prismaEngines.enginesMirror !== undefined ? [["PRISMA_ENGINES_MIRROR", prismaEngines.enginesMirror] as [string, string]] : []),
  ];
}

/** The command's words, one group a line: `docker build`, then each flag with its value, then the context. */
export function dockerBuildLines(input: DockerBuildInput): string[][] {
  const { place } = input;
  const secrets = (["npmrc", "ca"] as const).flatMap((id) => {
    const file = place.secretFiles[id];
    return file === undefined ? [] : [["--secret", `id=${id},src=${file}`]];
  });
  return [
    // BuildKit is needed (secret and bind mounts); docker 23 and later use it anyway.
    ["DOCKER_BUILDKIT=1", "docker", "build"],
    ["--file", place.dockerfile],
    ["--tag", place.tag ?? input.settings.image],
    // The image is the Dockerfiles' runtime stage, whichever stage comes last.
    ["--target", "runtime"],
    ...dockerBuildArgs(input).map(([name, value]) => ["--build-arg", `${name}=${value}`]),
    ...secrets,
    [place.context],
  ];
}

/** What the command cannot carry, as fixed comment text above it: a secret the Dagger build mounts and no file was named for. */
export function dockerBuildNotes(input: DockerBuildInput): string[] {
  const missing = (id: "npmrc" | "ca", builder: string, argument: string, example: string) =>
    input.moduleSecrets[id] && input.place.secretFiles[id] === undefined
      ? [`# ${builder} is set: add --secret id=${id},src=${example} (or pass ${argument} to docker-build-command to print it); the secret itself is never printed`]
      : [];
  return [...missing("npmrc", "with-npmrc", "--npmrc-path", '"$HOME/.npmrc"'), ...missing("ca", "with-ca-certificates", "--ca-certificates-path", "<the PEM file>")];
}

/**
 * The text docker-build-command prints: the notes, then the command over several lines. Every
 * word is quoted, so the text is one command to any POSIX shell whatever the config holds.
 */
export function dockerBuildCommand(input: DockerBuildInput): string {
  const command = dockerBuildLines(input)
    .map((words) => words.map(shellWord).join(" "))
    .join(" \\\n  ");
  return [...dockerBuildNotes(input), command].join("\n") + "\n";
}

/** One word for a POSIX shell: bare when nothing in it is special to the shell, else single-quoted (a `'` as `'\''`). */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * The pnpm the command installs. Dockerfile.<app>'s layout stage refuses a PNPM_VERSION other than
 * the one the install root's package.json names in packageManager, so with-pnpm-version's pnpm
 * can only be printed when it is that one.
 */
export function dockerPnpmVersion(given: string | undefined, named: string, manifest: string): string {
  if (given === undefined || given === named) return named;
  throw new ArgumentError({
    where: "--pnpm-version",
    found: `${JSON.stringify(given)} (with-pnpm-version), while ${manifest} names pnpm@${named} in packageManager`,
    expected: "the pnpm packageManager names: the Dockerfiles' layout stage refuses any other PNPM_VERSION",
    fix: `leave out with-pnpm-version for docker-build-command, or set packageManager in ${manifest} to "pnpm@${given}" and run pnpm install with it`,
  });
}

/** The place docker-build-command's arguments name, checked: `app`'s defaults for what is not given. */
export function dockerBuildPlace(
  app: AppName,
  given: { context?: string; dockerfile?: string; tag?: string; npmrcPath?: string; caCertificatesPath?: string },
): DockerBuildPlace {
  const npmrc = given.npmrcPath === undefined ? undefined : requireSecretFile(given.npmrcPath, "--npmrc-path", '"$HOME/.npmrc"');
  const ca = given.caCertificatesPath === undefined ? undefined : requireSecretFile(given.caCertificatesPath, "--ca-certificates-path", "./proxy-ca.pem");
  return {
    context: requireDockerPath(given.context ?? ".", "--context", "../shop"),
    dockerfile: requireDockerPath(given.dockerfile ?? `Dockerfile.${app}`, "--dockerfile", path.join("..", "drydock", `Dockerfile.${app}`)),
    ...(given.tag === undefined ? {} : { tag: requireTag(given.tag) }),
    secretFiles: { ...(npmrc === undefined ? {} : { npmrc }), ...(ca === undefined ? {} : { ca }) },
  };
}

/** A path docker takes as a positional argument or a flag's value: never one it would read as a flag. */
function requireDockerPath(value: string, argument: string, example: string): string {
  if (value === "" || value.startsWith("-") || /[\0\n\r]/.test(value)) {
    throw new ArgumentError({
      where: argument,
      found: JSON.stringify(value),
      expected: "a path, not empty, not starting with - (docker would read it as a flag), on one line",
      fix: `pass ${argument}=${example} (prefix ./ to a path that starts with -)`,
    });
  }
  return value;
}

/**
 * A file for `--secret id=…,src=<file>`: docker splits that value at commas and reads a leading
 * quote specially, so a path holding either would change which file (or option) BuildKit gets.
 */
function requireSecretFile(value: string, argument: string, example: string): string {
  if (value === "" || /[,"\0\n\r]/.test(value) || value.startsWith("~")) {
    throw new ArgumentError({
      where: argument,
      found: JSON.stringify(value),
      expected: 'the path of a file, with no comma, double quote or line break, and no leading "~" (which no shell expands inside quotes)',
      fix: `pass ${argument}=${example}, letting your shell expand it, or move the file to a plainer path`,
    });
  }
  return value;
}

const TAG = new RegExp(`^${IMAGE_REGISTRY}${IMAGE_NAME}(?::${IMAGE_TAG})?$`);

function requireTag(value: string): string {
  if (!TAG.test(value)) {
    throw new ArgumentError({
      where: "--tag",
      found: JSON.stringify(value),
      expected: "an image reference [registry/]name[:tag], lowercase name, like shop-api:1.4.0",
      fix: "pass --tag=<name>:<tag>, or leave it out to tag the image with the config's apps.<app>.image",
    });
  }
  return value;
}
