/**
 * The images the release functions run, pinned by digest. Free of Dagger imports, so the e2e
 * tool catalog can read the version it builds cosign at from the same pin.
 */

/** cosign's distroless image: no shell, the binary at /ko-app/cosign, user 65532. */
export const COSIGN_IMAGE =
  "ghcr.io/sigstore/cosign/cosign:v3.1.3@sha256:9e5c2f2edc34351160407ca3416c61855bdf9403c3c5936e0f0be7fc261611b8";
/** The cosign binary inside COSIGN_IMAGE (ko's layout). */
export const COSIGN_BINARY = "/ko-app/cosign";
/** The user COSIGN_IMAGE runs as (distroless nonroot). */
export const COSIGN_UID = 65532;
