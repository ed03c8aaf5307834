/**
 * Answers for scalar leaves: IDs, command output, file contents, publish digests, and
 * plausible defaults by type for the rest. Evaluating a leaf runs the commands of its chain,
 * so a failing command answers an EXEC_ERROR exactly where the real engine would.
 */
import { createHash } from "node:crypto";
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isListType,
  isScalarType,
  type GraphQLField,
  type GraphQLNamedType,
} from "graphql";
import { ObjectRef, renderChain, type ArgValue, type Chain, type Step } from "./chain.js";
import { containerState } from "./container-state.js";
import { fileContents, globDirectory, listDirectory, lookupInContainer, lookupInDirectory, type FsContext, type Lookup } from "./filesystem.js";
import { issueId, UNKNOWN_TYPE } from "./ids.js";
import { QueryError } from "./query-error.js";
import { execOutcome, lastMatching, pathMatches, type ExecOutcome } from "./rules.js";
import { expectedTypeOf } from "./schema.js";

export interface LeafContext extends FsContext {
  /** Canned file contents by path (or path suffix), for files the chain alone does not tell. */
  readonly files: ReadonlyMap<string, string>;
  /** Plaintexts set with `setSecret`, by name: kept out of every recording, answered only to `plaintext`. */
  readonly secrets: ReadonlyMap<string, string>;
}

export interface Leaf {
  readonly ownerChain: Chain;
  readonly ownerType: string | undefined;
  readonly step: Step;
  readonly def: GraphQLField<unknown, unknown> | undefined;
}

/** Leaves that read configuration and run nothing, like in the real engine. */
const LAZY_LEAVES = new Set(["id", "user", "workdir", "envVariable", "entrypoint", "defaultArgs", "label", "platform"]);

const digestOf = (chain: Chain) => `sha256:${createHash("sha256").update(renderChain(chain)).digest("hex")}`;
const str = (v: ArgValue | undefined) => (typeof v === "string" ? v : undefined);

export function answerLeaf(ctx: LeafContext, leaf: Leaf): unknown {
  const { ownerChain, step, def } = leaf;
  if (!LAZY_LEAVES.has(step.field)) assertCommandsSucceed(ctx, ownerChain);

  const named = def ? getNamedType(def.type) : undefined;
  if (named?.name === "ID" || (!def && (step.field === "id" || step.field === "sync"))) {
    return issueId(expectedTypeOf(def) ?? leaf.ownerType ?? UNKNOWN_TYPE, ownerChain);
  }
  const canned = lastMatching(ctx.rules, ownerChain, (r) => r.leaves !== undefined && step.field in r.leaves);
  if (canned) return canned.leaves![step.field];

  const special = answerByName(ctx, leaf);
  if (special !== NO_ANSWER) return special;
  if (def && named) return defaultFor(named, isListType(getNullableType(def.type)));
  throw new QueryError(`the fake engine has no answer for ${step.field} on ${renderChain(ownerChain)} (no schema loaded to give a default)`, {
    violation: "unanswerable",
  });
}

const NO_ANSWER = Symbol("no answer");

function answerByName(ctx: LeafContext, { ownerChain, ownerType, step }: Leaf): unknown {
  const a = step.args;
  const isContainer = ownerType === "Container" || ownerType === undefined;
  switch (step.field) {
    case "stdout":
    case "stderr":
    case "combinedOutput":
    case "exitCode": {
      if (!isContainer) return NO_ANSWER;
      const outcome = lastExec(ctx, ownerChain);
      if (step.field === "exitCode") return outcome.exitCode;
      if (step.field === "combinedOutput") return outcome.stdout + outcome.stderr;
      return outcome[step.field];
    }
    case "contents":
      return sliceLines(contentsOf(ctx, ownerChain), a["offsetLines"], a["limitLines"]);
    case "size":
      return ownerType === "File" ? Buffer.byteLength(contentsOf(ctx, ownerChain)) : NO_ANSWER;
    case "exists":
      return existsIn(ctx, ownerChain, ownerType, str(a["path"]) ?? "", str(a["expectedType"]), a["doNotFollowSymlinks"] === true);
    case "entries":
      return entriesOf(ctx, ownerChain, str(a["path"]) ?? ".");
    case "glob":
      return ownerType === "Directory" ? globOf(ctx, ownerChain, str(a["pattern"]) ?? "") : NO_ANSWER;
    case "name":
      return ownerType === "File" ? fileName(ownerChain) : NO_ANSWER;
    case "plaintext":
      // Like the real engine: code that reads a secret gets it, and whatever it does with it next shows in the plan.
      return ownerType === "Secret" ? secretPlaintext(ctx, ownerChain) : NO_ANSWER;
    case "export":
      return str(a["path"]) ?? NO_ANSWER;
    case "publish":
      return `${str(a["address"])}@${digestOf(ownerChain)}`;
    case "digest":
      // As the real v0.21.8 engine answers a File's or Directory's digest: its xxh3 content hash
      // ("xxh3:dd547f3e7d02f18e", seen on the engine tier), never a sha256 to publish.
      return ownerType === "File" || ownerType === "Directory" ? `xxh3:${digestOf(ownerChain).slice("sha256:".length, "sha256:".length + 16)}` : digestOf(ownerChain);
    case "user":
      return isContainer ? (containerState(ownerChain).user ?? "") : NO_ANSWER;
    case "workdir":
      return isContainer ? (containerState(ownerChain).workdir ?? "") : NO_ANSWER;
    case "envVariable":
      return isContainer ? (containerState(ownerChain).env[str(a["name"]) ?? ""] ?? null) : NO_ANSWER;
    default:
      return NO_ANSWER;
  }
}

function defaultFor(named: GraphQLNamedType, isList: boolean): unknown {
  if (isList) return [];
  if (isEnumType(named)) return named.getValues()[0]?.name ?? null;
  if (!isScalarType(named)) return null;
  const defaults: Record<string, unknown> = { String: "", Int: 0, Float: 0, Boolean: false, Platform: "linux/amd64", JSON: "null", Void: null };
  return named.name in defaults ? defaults[named.name] : null;
}

/** Fails like the real engine when a command in the chain (or in an object it uses) exits against its `expect`. */
function assertCommandsSucceed(ctx: LeafContext, chain: Chain, seen = new Set<string>()): void {
  chain.forEach((step, i) => {
    for (const ref of directRefs(step.args)) {
      if (seen.has(ref.id)) continue;
      seen.add(ref.id);
      assertCommandsSucceed(ctx, ref.chain, seen);
    }
    if (step.field !== "withExec") return;
    const outcome = execOutcome(ctx.rules, chain.slice(0, i + 1));
    if (outcome.fails) throw execError(outcome);
  });
}

function directRefs(args: Readonly<Record<string, ArgValue>>): ObjectRef[] {
  const found: ObjectRef[] = [];
  const visit = (v: ArgValue) => {
    if (v instanceof ObjectRef) found.push(v);
    else if (Array.isArray(v)) v.forEach(visit);
    else if (v !== null && typeof v === "object") Object.values(v as Record<string, ArgValue>).forEach(visit);
  };
  Object.values(args).forEach(visit);
  return found;
}

function execError(outcome: ExecOutcome): QueryError {
  return new QueryError(`process "${outcome.cmd.join(" ")}" did not complete successfully: exit code: ${outcome.exitCode}`, {
    extensions: { _type: "EXEC_ERROR", cmd: outcome.cmd, exitCode: outcome.exitCode, stdout: outcome.stdout, stderr: outcome.stderr },
  });
}

function lastExec(ctx: LeafContext, chain: Chain): ExecOutcome {
  for (let i = chain.length - 1; i >= 0; i--) {
    if (chain[i]!.field === "withExec") return execOutcome(ctx.rules, chain.slice(0, i + 1));
  }
  throw new QueryError(`no command has been set: ${renderChain(chain)} has no withExec`);
}

function contentsOf(ctx: LeafContext, fileChain: Chain): string {
  const canned = lastMatching(ctx.rules, fileChain, (r) => r.contents !== undefined);
  if (canned) return canned.contents!;
  return settle(ctx, fileContents(ctx, fileChain), fileChain);
}

/** A definite answer from the chain wins; otherwise `engine.files`; otherwise the test forgot to say. */
function settle(ctx: LeafContext, found: Lookup, fileChain: Chain): string {
  if (found.kind === "file") return found.contents;
  if (found.kind === "missing") throw new QueryError(`${renderChain(fileChain)}: ${found.reason}`);
  if (found.kind === "dir") throw new QueryError(`${renderChain(fileChain)}: is a directory, not a file`);
  const filePath = str(fileChain.at(-1)?.args["path"]);
  const key = filePath === undefined ? undefined : [...ctx.files.keys()].reverse().find((k) => pathMatches(filePath, k));
  if (key !== undefined) return ctx.files.get(key)!;
  throw new QueryError(
    `the fake engine cannot tell the contents of ${renderChain(fileChain)} (${found.reason}) — give them with engine.files.set(path, text) or a rule with contents`,
    { violation: "unanswerable" },
  );
}

function sliceLines(text: string, offset: ArgValue | undefined, limit: ArgValue | undefined): string {
  if (typeof offset !== "number" && typeof limit !== "number") return text;
  const lines = text.split(/(?<=\n)/);
  const start = typeof offset === "number" ? offset : 0;
  return lines.slice(start, typeof limit === "number" ? start + limit : undefined).join("");
}

/** Like Directory.exists: a symlink at the path is followed unless `doNotFollowSymlinks` (or SYMLINK_TYPE) says otherwise. */
function existsIn(ctx: LeafContext, chain: Chain, ownerType: string | undefined, at: string, expected: string | undefined, doNotFollowSymlinks: boolean): boolean {
  const found =
    ownerType === "Container"
      ? lookupInContainer(ctx, chain, at.startsWith("/") ? at : `${containerState(chain).workdir ?? "/"}/${at}`)
      : lookupInDirectory(ctx, chain, at);
  if (found.kind === "unknown") {
    if ([...ctx.files.keys()].some((k) => pathMatches(at, k))) return true;
    throw new QueryError(`the fake engine cannot tell whether ${at} exists in ${renderChain(chain)} (${found.reason}) — answer with a rule { leaves: { exists: … } }`, {
      violation: "unanswerable",
    });
  }
  if ((doNotFollowSymlinks || expected === "SYMLINK_TYPE") && found.link !== undefined) return expected === undefined || expected === "SYMLINK_TYPE";
  if (found.kind === "missing" || expected === "SYMLINK_TYPE") return false;
  if (expected === "REGULAR_TYPE") return found.kind === "file";
  if (expected === "DIRECTORY_TYPE") return found.kind === "dir";
  return true;
}

function globOf(ctx: LeafContext, chain: Chain, pattern: string): string[] {
  const found = globDirectory(ctx, chain, pattern);
  if (found.kind === "paths") return found.paths;
  if (found.kind === "missing") throw new QueryError(`${renderChain(chain)}: ${found.reason}`);
  throw new QueryError(`the fake engine cannot glob ${pattern} in ${renderChain(chain)} (${found.kind === "unknown" ? found.reason : "not a listing"}) — answer with a rule { leaves: { glob: [...] } }`, {
    violation: "unanswerable",
  });
}

function secretPlaintext(ctx: LeafContext, chain: Chain): string {
  const made = chain.at(-1);
  const name = made?.field === "setSecret" ? str(made.args["name"]) : undefined;
  const plaintext = name === undefined ? undefined : ctx.secrets.get(name);
  if (plaintext === undefined) {
    throw new QueryError(`the fake engine cannot tell the plaintext of ${renderChain(chain)} — only secrets made with setSecret have one`, { violation: "unanswerable" });
  }
  return plaintext;
}

/** A File's name: the last `withName`, else the base name of the path it was taken from. */
function fileName(chain: Chain): string {
  for (let i = chain.length - 1; i >= 0; i--) {
    const step = chain[i]!;
    if (step.field === "withName") return str(step.args["name"]) ?? "";
    // dag.file(name, contents) names it; Directory.file(path) by the path's last part.
    if (step.field === "file") return (str(step.args["path"]) ?? str(step.args["name"]) ?? "").split("/").pop() ?? "";
  }
  throw new QueryError(`the fake engine cannot tell the name of ${renderChain(chain)} — answer with a rule { leaves: { name: "…" } }`, { violation: "unanswerable" });
}

function entriesOf(ctx: LeafContext, chain: Chain, at: string): string[] {
  const listing = listDirectory(ctx, chain, at);
  if (listing.kind === "list") return [...listing.names].sort();
  if (listing.kind === "missing") throw new QueryError(`${renderChain(chain)}: ${listing.reason}`);
  throw new QueryError(`the fake engine cannot list ${at} in ${renderChain(chain)} (${listing.reason}) — answer with a rule { leaves: { entries: [...] } }`, {
    violation: "unanswerable",
  });
}
