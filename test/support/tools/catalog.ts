/**
 * The real tools the end-to-end suite builds from their Go modules. Trivy's version is read from
 * the scanner image the module pins, so the e2e always runs the Trivy the pipeline would.
 */
import { DEFAULTS } from "../../../dagger/src/config/schema.ts";
import { COSIGN_IMAGE } from "../../../dagger/src/release/images.ts";
import type { GoTool } from "./go-tools.ts";

/** The tag of a pinned `name:tag@sha256:…` reference. */
export function tagOf(pinnedImage: string): string {
  const tag = /:([\w][\w.-]*)@sha256:[a-f0-9]{64}$/.exec(pinnedImage)?.[1];
  if (!tag) throw new Error(`${pinnedImage} has no tag before its digest; expected name:tag@sha256:<64 hex>`);
  return tag;
}

/** "0.69.3" from `docker.io/aquasec/trivy:0.69.3@sha256:…`. */
export const TRIVY_VERSION = tagOf(DEFAULTS.scanner.trivyImage).replace(/^v/, "");

export const TRIVY: GoTool = {
  name: "trivy",
  pkg: "github.com/aquasecurity/trivy/cmd/trivy",
  version: `v${TRIVY_VERSION}`,
  // jsonv2: Trivy imports encoding/json/v2. CGO off: a static binary, like the release's.
  env: { GOEXPERIMENT: "jsonv2", GOTOOLCHAIN: "local", CGO_ENABLED: "0" },
  // Without app.ver, `trivy --version` says "dev" (and so does the report's Trivy.Version).
  ldflags: `-s -w -X github.com/aquasecurity/trivy/pkg/version/app.ver=${TRIVY_VERSION}`,
  coldBuild: "~10 min",
};

/** "v3.1.3" from the cosign image the release functions pin. */
export const COSIGN_VERSION = tagOf(COSIGN_IMAGE);

/** Signs, attests and verifies in test/e2e/release.test.ts, at the version of the pinned image. */
export const COSIGN: GoTool = {
  name: "cosign",
  pkg: "github.com/sigstore/cosign/v3/cmd/cosign",
  version: COSIGN_VERSION,
  env: { CGO_ENABLED: "0" },
  // Without gitVersion, `cosign version` says "devel", as cosign's own Makefile avoids.
  ldflags: `-s -w -X sigs.k8s.io/release-utils/version.gitVersion=${COSIGN_VERSION}`,
  coldBuild: "~6 min",
};

/**
 * A registry that requires credentials (htpasswd, bcrypt) for test/e2e/release.test.ts:
 * `crane registry serve` has no authentication, distribution's registry does.
 */
export const REGISTRY: GoTool = {
  name: "registry",
  pkg: "github.com/distribution/distribution/v3/cmd/registry",
  version: "v3.1.2",
  env: { CGO_ENABLED: "0" },
  coldBuild: "~3 min",
};

/** A local OCI registry (`crane registry serve`) and image copying for a later issue; not built yet. */
export const CRANE: GoTool = {
  name: "crane",
  pkg: "github.com/google/go-containerregistry/cmd/crane",
  version: "v0.22.1",
  env: { CGO_ENABLED: "0" },
};
