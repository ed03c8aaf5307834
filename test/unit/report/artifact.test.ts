/**
 * Which artifact a Trivy report is of, and whether a baseline may be applied to a report
 * (dagger/src/report/artifact.ts): one app's image under the names it gets from run to run is
 * one artifact; another app's image, or a folder, is not — unless the caller says it was renamed.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ArgumentError } from "../../../dagger/src/errors.ts";
import { artifactOf, baselineArtifactNote, describeArtifact, type Artifact } from "../../../dagger/src/report/artifact.ts";
import { haveTrivyGoldens, trivyGoldensDir } from "../../support/paths.ts";
import { report } from "../../support/trivy-reports.ts";

const TITLE = "org.opencontainers.image.title";
const titled = (title: string, overrides: Record<string, unknown> = {}) =>
  report([], { ArtifactName: "/drydock/image.tar", Metadata: { ImageID: "sha256:0123", ImageConfig: { architecture: "amd64", config: { Labels: { [TITLE]: title } } } }, ...overrides });
const DIGEST = `sha256:${"a".repeat(64)}`;

describe("artifactOf", () => {
  it.each([
    { name: "drydock's scan of its tarball: the title label", doc: titled("drydock-backend"), expected: { name: "drydock-backend", from: `its ${TITLE} label "drydock-backend"` } },
    { name: "a title with a namespace: its last segment", doc: titled("acme/api"), expected: { name: "api" } },
    {
      name: "the title label before the reference",
      doc: titled("drydock-backend", { ArtifactName: "ghcr.io/acme/other:1.0" }),
      expected: { name: "drydock-backend" },
    },
    {
      name: "a registry image without the label: its repository's last segment, without tag",
      doc: report([], { ArtifactName: "ghcr.io/acme/backend:pr-12", Metadata: {} }),
      expected: { name: "backend", from: 'ArtifactName "ghcr.io/acme/backend:pr-12"' },
    },
    { name: "a local build without a registry", doc: report([], { ArtifactName: "backend:dev", Metadata: {} }), expected: { name: "backend" } },
    { name: "a reference by digest", doc: report([], { ArtifactName: `ghcr.io/acme/backend@${DIGEST}`, Metadata: {} }), expected: { name: "backend" } },
    { name: "a registry with a port", doc: report([], { ArtifactName: "localhost:5000/backend:1.4", Metadata: {} }), expected: { name: "backend" } },
    {
      name: "a tarball scanned with --input: the reference Trivy read in it",
      doc: report([], { ArtifactName: "/tmp/x/image.tar", Metadata: { Reference: "ghcr.io/acme/backend:1.4", RepoTags: ["ghcr.io/acme/backend:1.4"] } }),
      expected: { name: "backend", from: 'the reference it was scanned under, "ghcr.io/acme/backend:1.4"' },
    },
    { name: "a tarball with RepoTags only", doc: report([], { ArtifactName: "image.tar", Metadata: { RepoTags: ["acme/backend:1.4"] } }), expected: { name: "backend" } },
    {
      name: "a tarball without tags: its file name",
      doc: report([], { ArtifactName: "out/backend.tar.gz", Metadata: {} }),
      expected: { name: "backend", from: 'the file name of "out/backend.tar.gz"' },
    },
    { name: "a folder: ArtifactName as given", doc: report([], { ArtifactName: "/drydock/src", ArtifactType: "filesystem" }), expected: { type: "filesystem", name: "/drydock/src", from: "ArtifactName" } },
    { name: "a labelled image config of the wrong shape is passed over", doc: report([], { ArtifactName: "backend:dev", Metadata: { ImageConfig: { config: { Labels: [TITLE] } } } }), expected: { name: "backend" } },
  ])("$name", ({ doc, expected }) => {
    expect(artifactOf(doc)).toMatchObject({ type: "container_image", ...expected });
  });

  it("names one app's image alike however it was tagged", () => {
    const names = ["backend:dev", "ghcr.io/acme/backend:pr-12", `ghcr.io/acme/backend@${DIGEST}`, "registry.example.com:5000/team/acme/backend:1.4.0"].map(
      (ArtifactName) => artifactOf(report([], { ArtifactName, Metadata: {} })).name,
    );
    expect(new Set([...names, artifactOf(titled("backend")).name])).toEqual(new Set(["backend"]));
  });

  it.skipIf(!haveTrivyGoldens())("reads the reference of Trivy's golden scan of a tarball", () => {
    const golden = JSON.parse(readFileSync(path.join(trivyGoldensDir, "alpine-310.json.golden"), "utf8")) as unknown;
    expect(artifactOf(golden)).toEqual({ type: "container_image", name: "trivy-test-images", from: 'the reference it was scanned under, "ghcr.io/aquasecurity/trivy-test-images:alpine-310"' });
  });

  it.each([
    { artifact: { type: "container_image", name: "drydock-backend", from: "" }, says: 'the image "drydock-backend"' },
    { artifact: { type: "filesystem", name: "/drydock/src", from: "" }, says: 'the folder "/drydock/src"' },
    { artifact: { type: "cyclonedx", name: "sbom.json", from: "" }, says: 'the cyclonedx artifact "sbom.json"' },
  ])("describes $artifact.type as $says", ({ artifact, says }) => {
    expect(describeArtifact(artifact)).toBe(says);
  });
});

describe("baselineArtifactNote", () => {
  const backend = artifactOf(titled("drydock-backend"));
  const frontend = artifactOf(titled("drydock-frontend"));
  const lint: Artifact = { type: "filesystem", name: "/drydock/src", from: "ArtifactName" };
  const gateBaseline = { argument: "--baseline" };
  const folderBaseline = { argument: "--baseline", file: "backend/trivy.json" };
  const thrown = (fn: () => unknown): Error => {
    try {
      fn();
    } catch (error) {
      return error as Error;
    }
    throw new Error("expected a throw");
  };

  it("applies a baseline of the same image, however it was tagged, and says nothing", () => {
    expect(baselineArtifactNote(backend, artifactOf(report([], { ArtifactName: "ghcr.io/acme/drydock-backend:main", Metadata: {} })), gateBaseline, "--report")).toBeUndefined();
    expect(baselineArtifactNote(lint, { ...lint }, gateBaseline, "--report")).toBeUndefined();
  });

  it("refuses another image's report given to gate, naming both images, the argument and how to pass the right one", () => {
    const error = thrown(() => baselineArtifactNote(backend, frontend, gateBaseline, "--report"));
    expect(error).toBeInstanceOf(ArgumentError);
    expect(error.message).toBe(
      `--baseline: found a report of the image "drydock-frontend" (named by its ${TITLE} label "drydock-frontend"), ` +
        `expected a report of what --report reports on, the image "drydock-backend" (named by its ${TITLE} label "drydock-backend"); images are compared by name, never by registry, tag or digest — ` +
        'pass an earlier report of "drydock-backend" as --baseline; if the image was renamed from "drydock-frontend" on purpose, add --baseline-renamed-from=drydock-frontend',
    );
  });

  it("names the file of a baseline folder, and where the right report goes", () => {
    const error = thrown(() => baselineArtifactNote(backend, frontend, folderBaseline, "Trivy report of backend"));
    expect(error.message).toMatch(/^--baseline: found backend\/trivy\.json, a report of the image "drydock-frontend" /);
    expect(error.message).toContain(
      "put an earlier report of \"drydock-backend\" at backend/trivy.json of the folder given as --baseline (build-and-scan's `reports export` writes one per scan); if the image was renamed from \"drydock-frontend\" on purpose, add --baseline-renamed-from=drydock-frontend",
    );
  });

  it("refuses a report of another kind of artifact, and offers no renaming", () => {
    const error = thrown(() => baselineArtifactNote(backend, lint, { ...gateBaseline, renamedFrom: ["/drydock/src"] }, "--report"));
    expect(error).toBeInstanceOf(ArgumentError);
    expect(error.message).toMatch(/^--baseline: found a report of the folder "\/drydock\/src" \(named by ArtifactName\), expected a report of what --report reports on, the image "drydock-backend"/);
    expect(error.message).toMatch(/ — pass an earlier report of "drydock-backend" as --baseline: the findings of the folder "\/drydock\/src" say nothing about the image "drydock-backend"$/);
    expect(error.message).not.toContain("--baseline-renamed-from");
  });

  it("refuses a renamed image's baseline unless --baseline-renamed-from names the baseline's name", () => {
    for (const renamedFrom of [[], ["drydock-backend"], ["ghcr.io/acme/drydock-frontend"]]) {
      expect(() => baselineArtifactNote(backend, frontend, { ...gateBaseline, renamedFrom }, "--report")).toThrow(ArgumentError);
    }
  });

  it("applies a renamed image's baseline when the caller names its old name, and says so for the summary", () => {
    expect(baselineArtifactNote(backend, frontend, { ...folderBaseline, renamedFrom: ["drydock-api", "drydock-frontend"] }, "Trivy report of backend")).toBe(
      "The baseline (`--baseline` `backend/trivy.json`) reports on the image `drydock-frontend`, this report on `drydock-backend`: applied as the same image renamed, as `--baseline-renamed-from=drydock-frontend` says.",
    );
  });
});
