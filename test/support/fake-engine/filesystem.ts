/**
 * What a Directory, Container or File chain holds, as far as the chain itself tells: host
 * directories are read from disk (like the real engine reads the caller's files), files written
 * by `withNewFile` hold what was written, a scratch directory is empty. Whatever a command or an
 * image may have put there is unknown — the caller then falls back to canned files or rules.
 */
import { lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import nodePath from "node:path";
import path from "node:path/posix";
import picomatch from "picomatch";
import { ObjectRef, renderChain, type ArgValue, type Chain } from "./chain.js";
import { containerState } from "./container-state.js";
import { archiveFiles, inArchive, listArchive } from "./image-archive.js";
import { execOutcome, lastMatching, stringsOf, type Rule } from "./rules.js";

/**
 * What lies at a path, following a symlink there as the engine does by default; `link` is the
 * target of a symlink at the path itself (host directories only: what `doNotFollowSymlinks` sees),
 * also when it dangles ("missing").
 */
export type Lookup = (
  | { readonly kind: "file"; readonly contents: string }
  | { readonly kind: "dir" }
  | { readonly kind: "missing"; readonly reason: string }
  | { readonly kind: "unknown"; readonly reason: string }
) & { readonly link?: string };

export type Listing =
  | { readonly kind: "list"; readonly names: ReadonlySet<string> }
  | { readonly kind: "missing"; readonly reason: string }
  | { readonly kind: "unknown"; readonly reason: string };

export interface FsContext {
  readonly rules: readonly Rule[];
  /** Where `host.directory(path)` and `host.file(path)` are read from. */
  readonly hostRoot: string;
}

const str = (v: ArgValue | undefined) => (typeof v === "string" ? v : "");
const norm = (p: string) => path.normalize(`/${p}`).replace(/\/+$/, "") || "/";
/** `rel` relative to directory `base` when it lies inside it ("" for base itself), else undefined. */
function inside(base: string, rel: string): string | undefined {
  const b = norm(base);
  const r = norm(rel);
  if (r === b) return "";
  const prefix = b === "/" ? "/" : `${b}/`;
  return r.startsWith(prefix) ? r.slice(prefix.length) : undefined;
}

/**
 * Include/exclude filters as Dagger applies them to a directory's relative paths: a path is
 * excluded when it or any parent matches. Include patterns are only checked on files, since a
 * directory may hold included files whatever its own name.
 */
function filtered(args: Readonly<Record<string, ArgValue>>, rel: string, isDir = false): boolean {
  const include = stringsOf(args["include"]);
  const exclude = stringsOf(args["exclude"]);
  const r = norm(rel).slice(1);
  if (r === "") return false;
  const segments = r.split("/");
  const withParents = segments.map((_, i) => segments.slice(0, i + 1).join("/"));
  const matches = (patterns: string[]) => {
    const isMatch = picomatch(patterns, { dot: true });
    return withParents.some((p) => isMatch(p));
  };
  if (exclude.length > 0 && matches(exclude)) return true;
  return include.length > 0 && !isDir && !matches(include);
}

function readHost(ctx: FsContext, file: string): Lookup {
  const full = nodePath.resolve(ctx.hostRoot, file);
  const link = hostLink(full);
  try {
    const stat = statSync(full);
    return { ...(stat.isDirectory() ? { kind: "dir" } : { kind: "file", contents: readFileSync(full, "utf8") }), ...link };
  } catch {
    return { kind: "missing", reason: `${full}: no such file or directory`, ...link };
  }
}

/** `{ link: <target> }` when `full` is itself a symlink, else nothing. */
function hostLink(full: string): { link?: string } {
  try {
    return lstatSync(full).isSymbolicLink() ? { link: readlinkSync(full) } : {};
  } catch {
    return {};
  }
}

/** What lies at `rel` inside the Directory `chain` produces. */
export function lookupInDirectory(ctx: FsContext, chain: Chain, rel: string): Lookup {
  const step = chain.at(-1);
  const prev = chain.slice(0, -1);
  if (!step) return { kind: "unknown", reason: "empty chain" };
  const a = step.args;
  const here = norm(rel);
  switch (step.field) {
    case "directory": {
      const owner = prev.at(-1);
      if (owner === undefined) return here === "/" ? { kind: "dir" } : { kind: "missing", reason: `${rel}: not in the empty directory` };
      if (owner.field === "host") {
        if (filtered(a, rel)) return { kind: "missing", reason: `${rel}: excluded from host directory ${str(a["path"])}` };
        return readHost(ctx, nodePath.join(str(a["path"]), rel));
      }
      if (owner.type === "Container") return lookupInContainer(ctx, prev, path.resolve(containerState(prev).workdir ?? "/", str(a["path"]), `.${here}`));
      if (owner.type === "Directory") return lookupInDirectory(ctx, prev, path.join(str(a["path"]), here));
      return { kind: "unknown", reason: `without a schema the fake engine cannot tell what ${owner.field} returns` };
    }
    case "withNewFile":
      if (norm(str(a["path"])) === here) return { kind: "file", contents: str(a["contents"]) };
      return inside(here, str(a["path"])) !== undefined ? { kind: "dir" } : lookupInDirectory(ctx, prev, rel);
    case "withNewDirectory":
      return inside(here, str(a["path"])) !== undefined ? { kind: "dir" } : lookupInDirectory(ctx, prev, rel);
    case "withFile":
      if (norm(str(a["path"])) === here) return contentsOfRef(ctx, a["source"]);
      return lookupInDirectory(ctx, prev, rel);
    case "withDirectory": {
      const sub = inside(str(a["path"]), here);
      if (sub !== undefined && a["source"] instanceof ObjectRef && !filtered(a, sub)) {
        const found = lookupInDirectory(ctx, a["source"].chain, sub);
        // withDirectory merges: what the source lacks, the directory below may still hold.
        if (found.kind !== "missing") return found;
      }
      return lookupInDirectory(ctx, prev, rel);
    }
    case "withoutFile":
    case "withoutDirectory":
      return inside(str(a["path"]), here) !== undefined ? { kind: "missing", reason: `${rel}: removed by ${step.field}` } : lookupInDirectory(ctx, prev, rel);
    case "withoutFiles":
      return stringsOf(a["paths"]).some((p) => norm(p) === here)
        ? { kind: "missing", reason: `${rel}: removed by withoutFiles` }
        : lookupInDirectory(ctx, prev, rel);
    case "filter":
      return filtered(a, rel) ? { kind: "missing", reason: `${rel}: filtered out` } : lookupInDirectory(ctx, prev, rel);
    case "withTimestamps":
      return lookupInDirectory(ctx, prev, rel);
    default:
      return { kind: "unknown", reason: `the fake engine does not model what ${step.field} puts in a directory` };
  }
}

/** What lies at absolute `at` inside the Container `chain` produces. */
export function lookupInContainer(ctx: FsContext, chain: Chain, at: string): Lookup {
  let unsure = false;
  for (let i = chain.length - 1; i >= 0; i--) {
    const step = chain[i]!;
    const prefix = chain.slice(0, i);
    const a = step.args;
    const target = () => path.resolve(containerState(prefix).workdir ?? "/", str(a["path"]));
    switch (step.field) {
      case "withNewFile":
        if (target() === at) return { kind: "file", contents: str(a["contents"]) };
        break;
      case "withFile":
      case "withMountedFile":
        if (target() === at) return contentsOfRef(ctx, a["source"]);
        break;
      case "withDirectory":
      case "withMountedDirectory": {
        const sub = inside(target(), at);
        if (sub !== undefined && a["source"] instanceof ObjectRef && !filtered(a, sub)) {
          const found = lookupInDirectory(ctx, a["source"].chain, sub);
          if (found.kind !== "missing" || step.field === "withMountedDirectory") return found;
        }
        break;
      }
      case "withMountedCache":
      case "withMountedTemp":
        if (inside(target(), at) !== undefined) return { kind: "unknown", reason: `${at} lies in a ${step.field} mount` };
        break;
      case "withoutFile":
      case "withoutDirectory":
        if (inside(target(), at) !== undefined) return { kind: "missing", reason: `${at}: removed by ${step.field}` };
        break;
      case "withExec": {
        for (const stream of ["redirectStdout", "redirectStderr"] as const) {
          const p = str(a[stream]);
          if (p !== "" && path.resolve(containerState(prefix).workdir ?? "/", p) === at) {
            const outcome = execOutcome(ctx.rules, chain.slice(0, i + 1));
            return { kind: "file", contents: stream === "redirectStdout" ? outcome.stdout : outcome.stderr };
          }
        }
        const unpacked = unpackedArchive(prefix, a, at);
        if (unpacked) return inArchive(unpacked.files, unpacked.sub) ?? { kind: "missing", reason: `${at}: not in the archive unpacked there` };
        // A command may write anywhere: past this point "not found" is no longer certain.
        unsure = true;
        break;
      }
      case "container":
        return unsure
          ? { kind: "unknown", reason: `a command in ${renderChain(chain)} may have written ${at}` }
          : { kind: "missing", reason: `${at}: not in the empty container` };
      case "from":
        return { kind: "unknown", reason: `${at} would come from image ${str(a["address"])}, which the fake engine does not have` };
    }
    if (step.type !== undefined && step.type !== "Container") break;
  }
  return { kind: "unknown", reason: `the fake engine cannot tell what ${renderChain(chain)} holds at ${at}` };
}

/**
 * The archive a `tar -xf <archive> -C <dir>` exec (args `execArgs`, run on `prefix`) unpacked, when
 * `at` lies in `<dir>` and the archive is a Container.asTarball mounted at `<archive>`; `sub` is
 * `at`'s path in it.
 */
function unpackedArchive(prefix: Chain, execArgs: Readonly<Record<string, ArgValue>>, at: string): { files: Map<string, string>; sub: string } | undefined {
  const argv = stringsOf(execArgs["args"]);
  if (argv.length !== 5 || argv[0] !== "tar" || argv[1] !== "-xf" || argv[3] !== "-C") return undefined;
  const workdir = containerState(prefix).workdir ?? "/";
  const sub = inside(path.resolve(workdir, argv[4]!), at);
  if (sub === undefined) return undefined;
  const archive = path.resolve(workdir, argv[2]!);
  const mount = [...prefix].reverse().find((step) => (step.field === "withMountedFile" || step.field === "withFile") && path.resolve(workdir, str(step.args["path"])) === archive);
  const source = mount?.args["source"];
  const files = source instanceof ObjectRef ? archiveFiles(source.chain) : undefined;
  return files ? { files, sub } : undefined;
}

function contentsOfRef(ctx: FsContext, source: ArgValue | undefined): Lookup {
  if (!(source instanceof ObjectRef)) return { kind: "unknown", reason: "file source is not an object ID" };
  // A file copied elsewhere holds what the test said the original holds.
  const canned = lastMatching(ctx.rules, source.chain, (r) => r.contents !== undefined);
  return canned ? { kind: "file", contents: canned.contents! } : fileContents(ctx, source.chain);
}

/** The contents of the File `chain` produces. */
export function fileContents(ctx: FsContext, chain: Chain): Lookup {
  const step = chain.at(-1);
  const prev = chain.slice(0, -1);
  if (!step) return { kind: "unknown", reason: "empty chain" };
  const a = step.args;
  switch (step.field) {
    case "file": {
      const owner = prev.at(-1);
      if (owner === undefined) return { kind: "file", contents: str(a["contents"]) };
      if (owner.field === "host") return readHost(ctx, str(a["path"]));
      const p = str(a["path"]);
      const found =
        owner.type === "Container"
          ? lookupInContainer(ctx, prev, path.resolve(containerState(prev).workdir ?? "/", p))
          : owner.type === "Directory"
            ? lookupInDirectory(ctx, prev, p)
            : ({ kind: "unknown", reason: `without a schema the fake engine cannot tell what ${owner.field} returns` } as const);
      return found.kind === "dir" ? { kind: "missing", reason: `${p} is a directory` } : found;
    }
    case "withName":
    case "withTimestamps":
      return fileContents(ctx, prev);
    default:
      return { kind: "unknown", reason: `the fake engine does not model the contents of ${step.field}` };
  }
}

/** The names directly inside `rel` of the Directory `chain` produces; directories end in "/". */
export function listDirectory(ctx: FsContext, chain: Chain, rel: string): Listing {
  const step = chain.at(-1);
  const prev = chain.slice(0, -1);
  if (!step) return { kind: "unknown", reason: "empty chain" };
  const a = step.args;
  const here = norm(rel);
  const merge = (below: Listing, extra: string[], removed: (name: string) => boolean = () => false): Listing => {
    const base = below.kind === "list" ? below.names : below.kind === "missing" && extra.length > 0 ? new Set<string>() : undefined;
    if (!base) return below;
    return { kind: "list", names: new Set([...base].filter((n) => !removed(n)).concat(extra)) };
  };
  /** The entry a path written at `p` (a directory when `isDir`) adds to this listing, if it lies below it. */
  const entryFor = (p: string, isDir: boolean): string[] => {
    const sub = inside(here, p);
    if (sub === undefined || sub === "") return [];
    const [head, ...rest] = sub.split("/");
    return [rest.length > 0 || isDir ? `${head}/` : head!];
  };
  switch (step.field) {
    case "directory":
      if (prev.length === 0) return here === "/" ? { kind: "list", names: new Set() } : { kind: "missing", reason: `${rel}: not in the empty directory` };
      if (prev.at(-1)?.field === "host") {
        const full = nodePath.resolve(ctx.hostRoot, str(a["path"]), `.${here}`);
        try {
          const names = readdirSync(full, { withFileTypes: true })
            .filter((e) => !filtered(a, path.join(here, e.name), e.isDirectory()))
            .map((e) => (e.isDirectory() ? `${e.name}/` : e.name));
          return { kind: "list", names: new Set(names) };
        } catch {
          return { kind: "missing", reason: `${full}: no such directory` };
        }
      }
      if (prev.at(-1)?.type === "Directory") return listDirectory(ctx, prev, path.join(str(a["path"]), here));
      if (prev.at(-1)?.field === "withExec") {
        const exec = prev.at(-1)!;
        const unpacked = unpackedArchive(prev.slice(0, -1), exec.args, path.resolve(containerState(prev).workdir ?? "/", str(a["path"]), `.${here}`));
        if (unpacked) return { kind: "list", names: listArchive(unpacked.files, unpacked.sub) };
      }
      return { kind: "unknown", reason: `the fake engine cannot list ${renderChain(chain)}` };
    case "withNewFile":
    case "withFile":
    case "withNewDirectory":
      return merge(listDirectory(ctx, prev, rel), entryFor(str(a["path"]), step.field === "withNewDirectory"));
    case "withDirectory": {
      const at = inside(str(a["path"]), here);
      if (at !== undefined && a["source"] instanceof ObjectRef) {
        const fromSource = listDirectory(ctx, a["source"].chain, at);
        const below = listDirectory(ctx, prev, rel);
        if (fromSource.kind !== "list") return fromSource.kind === "missing" ? below : fromSource;
        const names = [...fromSource.names].filter((n) => !filtered(a, path.join(at, n), n.endsWith("/")));
        return below.kind === "missing" ? { kind: "list", names: new Set(names) } : merge(below, names);
      }
      return merge(listDirectory(ctx, prev, rel), entryFor(str(a["path"]), true));
    }
    case "withoutFile":
    case "withoutDirectory": {
      const sub = inside(here, str(a["path"]));
      const direct = sub !== undefined && sub !== "" && !sub.includes("/");
      return merge(listDirectory(ctx, prev, rel), [], (n) => direct && (n === sub || n === `${sub}/`));
    }
    case "filter": {
      const below = listDirectory(ctx, prev, rel);
      if (below.kind !== "list") return below;
      // Like Dagger, an include filter keeps a directory only for what it keeps inside it.
      const keeps = (name: string) => {
        const sub = path.join(here, name);
        if (filtered(a, sub, name.endsWith("/"))) return false;
        if (!name.endsWith("/") || stringsOf(a["include"]).length === 0) return true;
        const inner = listDirectory(ctx, chain, sub);
        return inner.kind !== "list" || inner.names.size > 0;
      };
      return { kind: "list", names: new Set([...below.names].filter(keeps)) };
    }
    case "withTimestamps":
      return listDirectory(ctx, prev, rel);
    default:
      return { kind: "unknown", reason: `the fake engine does not model what ${step.field} puts in a directory` };
  }
}

/**
 * Every path below the Directory `chain` produces that matches `pattern`, walked like Dagger's
 * `glob`: relative paths, directories marked by a trailing slash, `*` matching dot files too.
 */
export function globDirectory(ctx: FsContext, chain: Chain, pattern: string): Listing | { readonly kind: "paths"; readonly paths: string[] } {
  const isMatch = picomatch(pattern, { dot: true });
  const paths: string[] = [];
  const walk = (dir: string): Listing | undefined => {
    const listing = listDirectory(ctx, chain, dir);
    if (listing.kind !== "list") return listing;
    for (const name of [...listing.names].sort()) {
      const isDir = name.endsWith("/");
      const rel = path.join(dir, isDir ? name.slice(0, -1) : name);
      if (isMatch(rel)) paths.push(isDir ? `${rel}/` : rel);
      if (isDir) {
        const failed = walk(rel);
        if (failed) return failed;
      }
    }
    return undefined;
  };
  return walk(".") ?? { kind: "paths", paths };
}
