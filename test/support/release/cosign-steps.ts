/**
 * The cosign command lines of drydock's plan, taken from what the release functions sent to the
 * (fake) engine and made runnable on this machine: the binary becomes the one built from the
 * pinned version, every container path under /drydock a host path holding what the engine would
 * mount there, and the secret variables the values the engine would inject. Nothing else in the
 * argv is touched, so a flag the real cosign rejects fails the e2e. The manifest reader's
 * `node -e` step runs the same way, with this machine's node.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { COSIGN_WORK_DIR, DOCKER_CONFIG_DIR } from "../../../dagger/src/release/cosign-args.ts";
import { COSIGN_BINARY } from "../../../dagger/src/release/images.ts";
import { MANIFEST_READER_PROGRAM } from "../../../dagger/src/release/manifest-reader.ts";
import type { ExecRecord, FakeEngine } from "../fake-engine/index.js";
import { run, type RunResult } from "../docker/cli.ts";

export interface CosignStep {
  /** sign, attest, verify, verify-attestation. */
  command: string;
  /** The argv exactly as recorded, the image's binary first. */
  args: readonly string[];
  env: Readonly<Record<string, string>>;
  /** Secret variable name → the secret's chain (`setSecret(name: "…")`). */
  secretEnv: Readonly<Record<string, string>>;
  /** Mount path → what the plan mounts there. */
  mounts: ExecRecord["mounts"];
}

/** Every cosign step of the recorded plan, each once, in the order the engine first saw it. */
export function cosignSteps(engine: FakeEngine): CosignStep[] {
  return engine
    .execs()
    .filter((e) => e.args[0] === COSIGN_BINARY)
    .map((e) => ({ command: e.args[1]!, args: e.args, env: e.env, secretEnv: e.secretEnv, mounts: e.mounts }));
}

/** The manifest reader's steps of the recorded plan (`node -e MANIFEST_READER_PROGRAM …`), command "read". */
export function readerSteps(engine: FakeEngine): CosignStep[] {
  return engine
    .execs()
    .filter((e) => e.args[0] === "node" && e.args[1] === "-e" && e.args[2] === MANIFEST_READER_PROGRAM)
    .map((e) => ({ command: "read", args: e.args, env: e.env, secretEnv: e.secretEnv, mounts: e.mounts }));
}

export interface CosignRunResult extends RunResult {
  argv: string[];
  seconds: number;
}

/**
 * A host folder standing in for the cosign container's /drydock: `files` maps container paths
 * (mount points) to the contents the e2e provides for them.
 */
export class HostCosign {
  constructor(
    readonly root: string,
    readonly binary: string,
  ) {}

  hostPath(containerPath: string): string {
    if (containerPath !== COSIGN_WORK_DIR && !containerPath.startsWith(`${COSIGN_WORK_DIR}/`)) {
      throw new Error(`${containerPath} is outside cosign's work folder ${COSIGN_WORK_DIR}: the e2e has no host path for it`);
    }
    return path.join(this.root, containerPath.slice(COSIGN_WORK_DIR.length));
  }

  /**
   * Run `step` for real. `mounts` gives the contents of each mount point of the step (every one
   * must be given), `secrets` the value of each secret variable by name.
   */
  async run(step: CosignStep, mounts: Readonly<Record<string, string>>, secrets: Readonly<Record<string, string>>): Promise<CosignRunResult> {
    const [program] = step.args;
    if (program !== COSIGN_BINARY) throw new Error(`not a cosign step: ${step.args.join(" ")}`);
    return this.exec(step, this.binary, mounts, secrets);
  }

  /**
   * Run the manifest reader's recorded step (`node -e PROGRAM …`) for real with this machine's
   * node, the same way: its mounts and secret variables, nothing else of the host.
   */
  async runReader(step: CosignStep, mounts: Readonly<Record<string, string>>, secrets: Readonly<Record<string, string>>): Promise<CosignRunResult> {
    if (step.args[0] !== "node" || step.args[1] !== "-e") throw new Error(`not the manifest reader: ${step.args.slice(0, 2).join(" ")}`);
    return this.exec(step, process.execPath, mounts, secrets);
  }

  private async exec(step: CosignStep, binary: string, mounts: Readonly<Record<string, string>>, secrets: Readonly<Record<string, string>>): Promise<CosignRunResult> {
    for (const at of Object.keys(step.mounts)) {
      const contents = mounts[at];
      if (contents === undefined) throw new Error(`the plan mounts ${step.mounts[at]!.kind} at ${at} for "${step.args.join(" ")}", and the e2e provides nothing for it`);
      await mkdir(path.dirname(this.hostPath(at)), { recursive: true });
      await writeFile(this.hostPath(at), contents, { mode: 0o600 });
    }
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(step.env)) env[name] = name === "DOCKER_CONFIG" && value === DOCKER_CONFIG_DIR ? this.hostPath(value) : value;
    for (const name of Object.keys(step.secretEnv)) {
      const value = secrets[name];
      if (value === undefined) throw new Error(`the plan sets the secret variable ${name} for "${step.args.join(" ")}", and the e2e provides no value`);
      env[name] = value;
    }
    const [, ...rest] = step.args;
    const argv = [binary, ...rest.map((arg) => (arg.startsWith(`${COSIGN_WORK_DIR}/`) ? this.hostPath(arg) : arg))];
    const started = performance.now();
    // No DOCKER_CONFIG unless the plan sets one: the host's own login must not help cosign in.
    const base = { HOME: path.join(this.root, ".home"), DOCKER_CONFIG: path.join(this.root, ".no-docker-config"), NO_PROXY: "127.0.0.1,localhost", no_proxy: "127.0.0.1,localhost" };
    const result = await run(argv[0]!, argv.slice(1), { env: { ...base, ...env }, timeoutMs: 5 * 60_000 });
    return { ...result, argv, seconds: (performance.now() - started) / 1000 };
  }
}
