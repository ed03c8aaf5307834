/**
 * Who chooses the scanner: the config may name drydock's defaults and what the caller allowed
 * (with-allowed-scanner), and every other Trivy image or DB repository is an error that names the
 * key, what was found, what is accepted and the argument that allows it.
 */
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../dagger/src/config/errors.ts";
import { parseSecurityConfig } from "../../../dagger/src/config/load.ts";
import { requireAllowedScanner, scannerUsed, type ScannerAllowance } from "../../../dagger/src/config/scanner.ts";
import { DEFAULTS } from "../../../dagger/src/config/schema.ts";

const MIRROR_IMAGE = `registry.example.com/mirror/trivy:0.69.3@sha256:${"c".repeat(64)}`;
const MIRROR_DB = "registry.example.com/trivy-db:2";
const NOTHING: ScannerAllowance = { dbRepositories: [] };
const [DEFAULT_DB_1, DEFAULT_DB_2, DEFAULT_DB_3] = DEFAULTS.scanner.dbRepositories;

const loaded = (yaml?: string) => parseSecurityConfig(yaml, "security-config.yml");

function thrown(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("requireAllowedScanner", () => {
  it.each([
    { name: "no config file", yaml: undefined, allowed: NOTHING },
    { name: "a config that names no scanner", yaml: "version: 1\n", allowed: NOTHING },
    { name: "the default image written out", yaml: `scanner:\n  trivyImage: ${DEFAULTS.scanner.trivyImage}\n`, allowed: NOTHING },
    { name: "fewer of the default DB repositories, in another order", yaml: `scanner:\n  dbRepositories: [${DEFAULT_DB_3}, ${DEFAULT_DB_1}]\n`, allowed: NOTHING },
    { name: "the image the caller allows", yaml: `scanner:\n  trivyImage: ${MIRROR_IMAGE}\n`, allowed: { trivyImage: MIRROR_IMAGE, dbRepositories: [] } },
    { name: "a DB repository the caller allows, before the defaults", yaml: `scanner:\n  dbRepositories: [${MIRROR_DB}, ${DEFAULT_DB_2}]\n`, allowed: { dbRepositories: [MIRROR_DB] } },
    { name: "the default image when the caller allows a mirror", yaml: "version: 1\n", allowed: { trivyImage: MIRROR_IMAGE, dbRepositories: [MIRROR_DB] } },
  ])("accepts $name", ({ yaml, allowed }) => {
    const config = loaded(yaml);
    expect(requireAllowedScanner(config, allowed)).toEqual(scannerUsed(config.config.scanner));
  });

  it("refuses a Trivy image the caller did not allow, naming the key, the image, the default and the argument", () => {
    const error = thrown(() => requireAllowedScanner(loaded(`scanner:\n  trivyImage: ${MIRROR_IMAGE}\n`), NOTHING));
    expect(error.message).toBe(
      `security-config.yml: scanner.trivyImage: found "${MIRROR_IMAGE}", expected drydock's default ${DEFAULTS.scanner.trivyImage} — ` +
        "the config alone cannot change the scanner, or a pull request could pick one that reports nothing: " +
        `remove scanner.trivyImage from security-config.yml, or have the caller allow the image with with-allowed-scanner --trivy-image=${MIRROR_IMAGE}`,
    );
  });

  it("refuses a Trivy image other than the one the caller allows, naming both", () => {
    const other = `ghcr.io/someone/trivy:0.69.3@sha256:${"d".repeat(64)}`;
    const error = thrown(() => requireAllowedScanner(loaded(`scanner:\n  trivyImage: ${other}\n`), { trivyImage: MIRROR_IMAGE, dbRepositories: [] }));
    expect(error.message).toContain(`found "${other}", expected drydock's default ${DEFAULTS.scanner.trivyImage} or ${MIRROR_IMAGE}, which the caller allows — `);
  });

  it("refuses each DB repository that is neither a default nor allowed, by its index, all at once", () => {
    const yaml = `scanner:\n  trivyImage: ${MIRROR_IMAGE}\n  dbRepositories: [${DEFAULT_DB_1}, evil.example.com/trivy-db:2, ${MIRROR_DB}]\n`;
    const error = thrown(() => requireAllowedScanner(loaded(yaml), { dbRepositories: [MIRROR_DB] }));
    expect(error.issues.map((issue) => issue.where)).toEqual(["scanner.trivyImage", "scanner.dbRepositories[1]"]);
    expect(error.message.split("\n")[1]).toBe(
      `security-config.yml: scanner.dbRepositories[1]: found "evil.example.com/trivy-db:2", expected one of drydock's default DB repositories (${DEFAULTS.scanner.dbRepositories.join(", ")}), or one the caller allows (${MIRROR_DB}) — ` +
        "the config alone cannot change the scanner, or a pull request could pick one that reports nothing: " +
        "remove the entry from security-config.yml, or have the caller allow it with with-allowed-scanner --db-repositories=evil.example.com/trivy-db:2",
    );
  });
});

describe("scannerUsed", () => {
  it.each([
    { name: "the defaults", scanner: { trivyImage: DEFAULTS.scanner.trivyImage, dbRepositories: [...DEFAULTS.scanner.dbRepositories] }, image: true, db: true },
    { name: "a default DB repository alone", scanner: { trivyImage: DEFAULTS.scanner.trivyImage, dbRepositories: [DEFAULT_DB_2!] }, image: true, db: true },
    { name: "a mirror image", scanner: { trivyImage: MIRROR_IMAGE, dbRepositories: [...DEFAULTS.scanner.dbRepositories] }, image: false, db: true },
    { name: "a mirror DB among the defaults", scanner: { trivyImage: DEFAULTS.scanner.trivyImage, dbRepositories: [MIRROR_DB, DEFAULT_DB_1!] }, image: true, db: false },
  ])("says whether $name are drydock's defaults", ({ scanner, image, db }) => {
    expect(scannerUsed(scanner)).toEqual({ ...scanner, defaultTrivyImage: image, defaultDbRepositories: db });
  });
});
