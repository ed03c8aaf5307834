/**
 * The value formats of `security-config.yml`: dates, paths, image references, durations.
 * Each message starts with "expected …"; the loader puts what it found in front of it.
 */
import { z } from "zod";

import { IMAGE_NAME as NAME, IMAGE_REGISTRY as REGISTRY, IMAGE_TAG as TAG, PINNED_IMAGE, pinnedImage } from "../pinned-image.js";

/** Trivy 0.69.4, and the Docker Hub images 0.69.5 and 0.69.6, were malicious releases (CVE-2026-33634). */
const COMPROMISED_TRIVY_TAG = /^v?0\.69\.[4-6]$/;
/** Go durations as Trivy's --timeout takes them, whole units only: 300s, 10m, 1h30m. */
const DURATION = /^(?:\d+[hms])+$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Rejects 2025-02-30 and 2025-13-01, which the format alone lets through. */
function isCalendarDate(s: string): boolean {
  const date = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(s);
}

export const IsoDate = z
  .string({ error: "expected a date written YYYY-MM-DD" })
  .regex(ISO_DATE, { error: "expected a date written YYYY-MM-DD", abort: true })
  .refine(isCalendarDate, { error: "expected a real calendar date (YYYY-MM-DD)" });

/** A folder or file inside the application repository; the module never reads outside it. */
export const RelativePath = z
  .string()
  .min(1)
  .refine((p) => !/^(?:\/|~|[A-Za-z]:)/.test(p) && !p.includes("\\") && !p.split("/").includes(".."), {
    error: 'expected a path relative to the repository root (forward slashes, no leading "/", no "..")',
  });

/** The name an app's image is published under; registry and tag are publish's business. */
export const ImageName = z.string().regex(new RegExp(`^${NAME}$`), {
  error: "expected a lowercase image name without registry, tag or digest, like acme/backend",
});

export const FindingId = z
  .string({ error: "expected a finding ID such as CVE-2024-12345, GHSA-…, DS-0002 or a secret rule ID" })
  .regex(/^\S+$/, { error: "expected a finding ID without spaces, such as CVE-2024-12345" });

export const PinnedTrivyImage = z
  .string()
  // The same parser as the image builders' and the labels': one notion of "pinned" everywhere.
  .regex(PINNED_IMAGE, {
    error: "expected an image pinned by digest, like aquasec/trivy:0.69.3@sha256:<64 hex>",
    abort: true,
  })
  .refine((ref) => !COMPROMISED_TRIVY_TAG.test(pinnedImage(ref)?.tag ?? ""), {
    error: "expected a Trivy release other than 0.69.4–0.69.6, which were malicious (CVE-2026-33634)",
  });

/** A DB repository is an OCI reference with a tag (`…/trivy-db:2`), never a URL. */
export const DbRepository = z.string().regex(new RegExp(`^${REGISTRY}${NAME}(?::${TAG})?$`), {
  error: "expected an OCI repository reference without a URL scheme, like mirror.gcr.io/aquasec/trivy-db:2",
});

export const Duration = z.string().regex(DURATION, { error: "expected a duration like 300s, 10m or 1h30m" });
