/**
 * What docker-build-command reads of the source for the pure core (docker-build-args.ts): whether
 * the backend uses Prisma, found as its Dagger build finds it, and the pnpm its install root names.
 */
import path from "node:path/posix";

import type { Directory } from "@dagger.io/dagger";

import type { ListedApp } from "../config/apps.js";
import { appPnpm, type AppSource } from "../source.js";
import { dockerBuildCommand, dockerPnpmVersion, type DockerBuildPlace } from "./docker-build-args.js";
import { detectPrisma } from "./prisma.js";

/** The module's settings the command carries (Drydock's fields of the same names); the secrets only as present or not. */
export interface DockerBuildSettings {
  buildImage: string;
  runtimeImage: string;
  pnpmVersion?: string;
  imageVersion: string;
  revision: string;
  created: string;
  sourceUrl: string;
  licenses: string;
  prismaSchemaEngineBinary?: string;
  prismaEnginesMirror?: string;
  npmrc?: unknown;
  caCertificates?: unknown;
}

/** The `docker build` command text of the listed app `target`, in `found` of `source`, with `settings`. */
export async function dockerBuildText(source: Directory, target: ListedApp, found: AppSource, settings: DockerBuildSettings, place: DockerBuildPlace): Promise<string> {
  const [named, prisma] = await Promise.all([
    appPnpm(source, found),
    target.name === "backend" ? detectPrisma(found.app, found.layout.folder) : Promise.resolve(undefined),
  ]);
  return dockerBuildCommand({
    app: target.name,
    settings: target.settings,
    prisma: prisma !== undefined,
    pnpmVersion: dockerPnpmVersion(settings.pnpmVersion, named, path.join(found.layout.root, "package.json")),
    buildImage: settings.buildImage,
    runtimeImage: settings.runtimeImage,
    labels: { version: settings.imageVersion, revision: settings.revision, created: settings.created, source: settings.sourceUrl, licenses: settings.licenses },
    prismaEngines: {
      ...(settings.prismaSchemaEngineBinary === undefined ? {} : { schemaEngineBinary: settings.prismaSchemaEngineBinary }),
      ...(settings.prismaEnginesMirror === undefined ? {} : { enginesMirror: settings.prismaEnginesMirror }),
    },
    place,
    moduleSecrets: { npmrc: settings.npmrc !== undefined, ca: settings.caCertificates !== undefined },
  });
}
