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

/**
 * The local Sigstore of test/support/sigstore/ (keyless signing without the public good instance):
 * the certificate authority that turns a local OIDC token into a short-lived signing certificate.
 */
export const FULCIO: GoTool = {
  name: "fulcio",
  pkg: "github.com/sigstore/fulcio",
  version: "v1.8.8",
  env: { CGO_ENABLED: "0" },
  coldBuild: "~1 min",
};

/** The local Sigstore's RFC 3161 timestamp authority (`timestamp-server serve`), the version cosign v3.1.3 links. */
export const TIMESTAMP_SERVER: GoTool = {
  name: "timestamp-server",
  pkg: "github.com/sigstore/timestamp-authority/v2/cmd/timestamp-server",
  version: "v2.1.2",
  env: { CGO_ENABLED: "0" },
  coldBuild: "~1 min",
};

/**
 * The local Sigstore's transparency log: Rekor v2 (tiles) on the POSIX backend, at the version
 * cosign v3.1.3 links, the last with the POSIX backend (v2.4.0 has no cmd/rekor-server/posix). The package builds a binary named
 * `posix`; the cache names it.
 */
export const REKOR_TILES: GoTool = {
  name: "rekor-server-posix",
  pkg: "github.com/sigstore/rekor-tiles/v2/cmd/rekor-server/posix",
  version: "v2.3.0",
  env: { CGO_ENABLED: "0" },
  coldBuild: "~1 min",
};

/**
 * The local Sigstore's certificate transparency log: TesseraCT on the POSIX backend. Fulcio submits
 * each precertificate to it and embeds the SCT, so cosign verifies keyless signatures without
 * --insecure-ignore-sct. The package builds a binary named `posix`; the cache names it.
 */
export const TESSERACT: GoTool = {
  name: "tesseract-posix",
  pkg: "github.com/transparency-dev/tesseract/cmd/tesseract/posix",
  version: "v0.1.1",
  env: { CGO_ENABLED: "0" },
  coldBuild: "~1 min",
};
