/**
 * The test copy of drydock the engine tier loads: the repository's files (tracked and new, not
 * ignored) with the image pins substituted for the lab's stand-ins and the TypeScript runtime's
 * node image set (`dagger.baseImage`) — both only here, never in the product. Every substitution
 * must find its pin exactly once, so a pin that moves fails the tier instead of leaving an
 * official image the engine cannot pull.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { DEFAULTS } from "../../../dagger/src/config/schema.ts";
import { NODE_IMAGE } from "../../../dagger/src/images/defaults.ts";
import { COSIGN_IMAGE } from "../../../dagger/src/release/images.ts";
import { POSTGRES_IMAGE } from "../../../dagger/src/smoke/run.ts";
import { NODE_IMAGE as TESTS_NODE_IMAGE, POSTGRES_IMAGE as TESTS_POSTGRES_IMAGE } from "../../../dagger/tests/src/index.ts";
import { copyCommittableTree } from "../docker/canaries.ts";
import { failureMessage, run } from "../docker/cli.ts";
import { repoRoot } from "../paths.ts";
import type { LabImages } from "./lab-images.ts";

export interface PinSubstitution {
  file: string;
  from: string;
  to: string;
}

/** The lab's Trivy DB repository: the lab registry, which the containers the engine runs reach. */
export function labDbRepository(labRegistry: string): string {
  return `${labRegistry}/aquasec/trivy-db:2`;
}

/** Each pin of the module, and what the copy names instead. */
export function pinSubstitutions(images: LabImages, labRegistry: string): PinSubstitution[] {
  const dbList = DEFAULTS.scanner.dbRepositories.map((r) => `      ${JSON.stringify(r)},\n`).join("");
  return [
    { file: "dagger/src/images/defaults.ts", from: JSON.stringify(NODE_IMAGE), to: JSON.stringify(images.node) },
    { file: "dagger/src/config/schema.ts", from: JSON.stringify(DEFAULTS.scanner.trivyImage), to: JSON.stringify(images.trivy) },
    { file: "dagger/src/config/schema.ts", from: `[\n${dbList}    ]`, to: `[${JSON.stringify(labDbRepository(labRegistry))}]` },
    { file: "dagger/src/release/images.ts", from: JSON.stringify(COSIGN_IMAGE), to: JSON.stringify(images.cosign) },
    { file: "dagger/src/smoke/run.ts", from: JSON.stringify(POSTGRES_IMAGE), to: JSON.stringify(images.postgres) },
    // The checks module (dagger/tests) pins its own probe and database images.
    { file: "dagger/tests/src/index.ts", from: JSON.stringify(TESTS_NODE_IMAGE), to: JSON.stringify(images.node) },
    { file: "dagger/tests/src/index.ts", from: JSON.stringify(TESTS_POSTGRES_IMAGE), to: JSON.stringify(images.postgres) },
  ];
}

/** Copy the repository to `dest` (a git repository of one commit) and make it the lab's module. */
export async function writeModuleCopy(dest: string, images: LabImages, labRegistry: string, labNode: string): Promise<void> {
  await copyCommittableTree(repoRoot, ".", dest);
  for (const { file, from, to } of pinSubstitutions(images, labRegistry)) {
    const target = path.join(dest, file);
    const text = await readFile(target, "utf8");
    const count = text.split(from).length - 1;
    if (count !== 1) throw new Error(`${file}: the pin ${from} occurs ${count} times; the engine tier substitutes it exactly once`);
    await writeFile(target, text.replace(from, to));
  }
  // Both modules: drydock and the checks module that depends on it (dagger check).
  for (const manifestFile of ["dagger/package.json", "dagger/tests/package.json"].map((f) => path.join(dest, f))) {
    const manifest = JSON.parse(await readFile(manifestFile, "utf8")) as Record<string, unknown>;
    manifest["dagger"] = { baseImage: labNode };
    await writeFile(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  }
  await commitAll(dest);
}

/** An application repository of its own (one commit) from an example, as a user of the module has; `files` replace the example's. */
export async function writeAppRepository(dest: string, example: string, files: Record<string, string> = {}): Promise<void> {
  await copyCommittableTree(repoRoot, example, dest);
  for (const [file, text] of Object.entries(files)) await writeFile(path.join(dest, file), text);
  await commitAll(dest);
}

async function commitAll(dir: string): Promise<void> {
  const identity = ["-c", "user.name=drydock e2e", "-c", "user.email=e2e@drydock.invalid", "-c", "commit.gpgsign=false"];
  for (const args of [["init", "-q", "-b", "main"], ["add", "-A"], [...identity, "commit", "-q", "-m", "engine tier fixture"]]) {
    const result = await run("git", args, { cwd: dir });
    if (result.code !== 0) throw new Error(failureMessage(`git ${args.join(" ")} in ${dir}`, result));
  }
}
