/**
 * What a Trivy report is a report of, so that a baseline of one image is never applied to another:
 * the frontend's report given as the backend's baseline would let through, as pre-existing, every
 * backend finding the frontend shares.
 *
 * Which name is compared. One app's image is scanned under names that change from run to run:
 * drydock scans a tarball (ArtifactName `/drydock/image.tar`, the same for every image), a laptop
 * `backend:dev`, CI `ghcr.io/acme/backend:pr-12`, a release `…/backend@sha256:…`. What stays is the
 * image's name: drydock writes `apps.<app>.image` into every image it builds as the
 * `org.opencontainers.image.title` label and publishes it as the end of the repository. So an image
 * is named by, in order: that label; the reference Trivy read it under (Metadata.Reference,
 * Metadata.RepoTags[0], or ArtifactName when it is not a file); else the tarball's file name — and
 * of that name only the last path segment counts: no registry, namespace, tag or digest (so
 * `acme/api` and `other/api` are one name; the check is against a mix-up of apps, not a forgery).
 * Anything else — a folder, a repository, the lint's `/drydock/src` — is named by its ArtifactName
 * as given. Two reports are of one artifact when their ArtifactType and name agree.
 */
import { ArgumentError } from "../errors.js";
import { code } from "./markdown-text.js";

/** The argument with which a caller says the image was renamed since the baseline. */
export const RENAMED_FROM_ARGUMENT = "--baseline-renamed-from";

const TITLE_LABEL = "org.opencontainers.image.title";
const TARBALL = /\.(?:tar|tar\.gz|tgz)$/i;

export interface Artifact {
  /** Trivy's ArtifactType: `container_image`, `filesystem`, `repository`, … */
  type: string;
  /** What is compared: an image's name (its last segment), else the ArtifactName. */
  name: string;
  /** Where the name was read, for the error: `its org.opencontainers.image.title label`, `ArtifactName`, … */
  from: string;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
const nonEmpty = (value: unknown): value is string => typeof value === "string" && value.trim() !== "";

/**
 * The artifact of a parsed Trivy report (parseTrivyJson's result, once the report has been read:
 * ArtifactName and ArtifactType are non-empty strings). Metadata is read where it has the shape
 * Trivy writes, and otherwise passed over for the next source of a name.
 */
export function artifactOf(report: unknown): Artifact {
  const doc = isObject(report) ? report : {};
  const type = String(doc["ArtifactType"]);
  const artifactName = String(doc["ArtifactName"]);
  if (type !== "container_image") return { type, name: artifactName, from: "ArtifactName" };
  const metadata = isObject(doc["Metadata"]) ? doc["Metadata"] : {};
  const config = isObject(metadata["ImageConfig"]) && isObject(metadata["ImageConfig"]["config"]) ? metadata["ImageConfig"]["config"] : {};
  const title = isObject(config["Labels"]) ? config["Labels"][TITLE_LABEL] : undefined;
  if (nonEmpty(title)) return { type, name: lastSegment(title), from: `its ${TITLE_LABEL} label ${JSON.stringify(title)}` };
  const tags = Array.isArray(metadata["RepoTags"]) ? metadata["RepoTags"] : [];
  const reference = [metadata["Reference"], tags[0]].find(nonEmpty);
  if (reference !== undefined) return { type, name: repositoryName(reference), from: `the reference it was scanned under, ${JSON.stringify(reference)}` };
  if (isFile(artifactName)) return { type, name: lastSegment(artifactName).replace(TARBALL, ""), from: `the file name of ${JSON.stringify(artifactName)}` };
  return { type, name: repositoryName(artifactName), from: `ArtifactName ${JSON.stringify(artifactName)}` };
}

/** `ghcr.io/acme/backend:1.4@sha256:…` → `backend`. */
function repositoryName(reference: string): string {
  const [withoutDigest = ""] = reference.split("@");
  const slash = withoutDigest.lastIndexOf("/");
  const colon = withoutDigest.lastIndexOf(":");
  return lastSegment(colon > slash ? withoutDigest.slice(0, colon) : withoutDigest);
}

function lastSegment(name: string): string {
  const trimmed = name.trim().replace(/\/+$/, "");
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

/** A path Trivy was given with --input, rather than an image reference. */
function isFile(name: string): boolean {
  return TARBALL.test(name) || name.startsWith("/") || name.startsWith(".") || name.includes("\\");
}

const KINDS: Record<string, string> = {
  container_image: "image",
  filesystem: "folder",
  repository: "repository",
  rootfs: "root filesystem",
  vm: "virtual machine image",
};

/** `the image "drydock-backend"`. */
export function describeArtifact(artifact: Artifact): string {
  return `the ${KINDS[artifact.type] ?? `${artifact.type} artifact`} ${JSON.stringify(artifact.name)}`;
}

export interface BaselineGiven {
  /** The argument that gave it: `--baseline`. */
  argument: string;
  /** Its path in the folder given, when the argument is a folder of reports: `backend/trivy.json`. */
  file?: string;
  /** The names the caller says the image had when the baseline was made (--baseline-renamed-from). */
  renamedFrom?: readonly string[];
}

/**
 * Whether a baseline may be applied to a report: undefined when both are of one artifact; a note
 * for the summary (Markdown) when they are not but the caller said the image was renamed from the
 * baseline's name; otherwise an ArgumentError naming both artifacts, the argument and the fix.
 * `reportLabel` names the report the baseline is for, e.g. `--report`.
 */
export function baselineArtifactNote(report: Artifact, baseline: Artifact, given: BaselineGiven, reportLabel: string): string | undefined {
  if (report.type === baseline.type && report.name === baseline.name) return undefined;
  const sameKind = report.type === baseline.type;
  if (sameKind && given.renamedFrom?.includes(baseline.name)) {
    const where = given.file ? `${code(given.argument)} ${code(given.file)}` : code(given.argument);
    return (
      `The baseline (${where}) reports on the ${KINDS[baseline.type] ?? `${baseline.type} artifact`} ${code(baseline.name)}, this report on ${code(report.name)}: ` +
      `applied as the same ${KINDS[report.type] ?? "artifact"} renamed, as ${code(`${RENAMED_FROM_ARGUMENT}=${baseline.name}`)} says.`
    );
  }
  const wanted = `an earlier report of ${JSON.stringify(report.name)}`;
  const pass = given.file
    ? `put ${wanted} at ${given.file} of the folder given as ${given.argument} (build-and-scan's \`reports export\` writes one per scan)`
    : `pass ${wanted} as ${given.argument}`;
  throw new ArgumentError({
    where: given.argument,
    found: `${given.file ? `${given.file}, ` : ""}a report of ${describeArtifact(baseline)} (named by ${baseline.from})`,
    expected:
      `a report of what ${reportLabel} reports on, ${describeArtifact(report)} (named by ${report.from})` +
      (report.type === "container_image" ? "; images are compared by name, never by registry, tag or digest" : ""),
    fix: sameKind
      ? `${pass}; if the ${KINDS[report.type] ?? "artifact"} was renamed from ${JSON.stringify(baseline.name)} on purpose, add ${RENAMED_FROM_ARGUMENT}=${baseline.name}`
      : `${pass}: the findings of ${describeArtifact(baseline)} say nothing about ${describeArtifact(report)}`,
  });
}
