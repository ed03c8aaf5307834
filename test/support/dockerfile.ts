/**
 * Reads Dockerfile.backend and Dockerfile.frontend into the model the parity test compares with
 * the Dagger plan. dockerfile-ast does the parsing; this file resolves what Docker resolves (ARG
 * defaults and given build arguments, ${VAR}, WORKDIR, what a stage inherits from the stage it
 * continues) and applies the few normalisations that make a RUN line and a Dagger withExec, or a
 * COPY and a filtered Dagger directory, comparable, each named where it happens. Anything it does
 * not model is an error, never silently skipped: an unmodelled instruction or stage could be
 * exactly the drift the test exists to catch.
 */
import path from "node:path/posix";
import {
  Arg,
  Cmd,
  Copy,
  DockerfileParser,
  Entrypoint,
  Env,
  From,
  Healthcheck,
  JSONInstruction,
  Label,
  Run,
  type Flag,
  type Instruction,
} from "dockerfile-ast";

/** One command of a build stage, with what is in force when it runs. */
export interface RunCommand {
  args: string[];
  workdir: string | undefined;
  user: string | undefined;
  /**
   * Environment the build sets (Dockerfile ENV, Dagger withEnvVariable); the base image's own is
   * the same on both sides. A Dockerfile RUN also gets its stage's ARGs: those declared without a
   * default are optional knobs Docker hands over only when given, so they count here; those with
   * a default parametrise the Dockerfile (APP_DIR, PNPM_VERSION) and are compared where they are
   * expanded, in paths and commands.
   */
  env: Record<string, string>;
  /** What the command gets mounted, as `cache /pnpm/store` or `secret /root/.npmrc`, sorted. */
  mounts: string[];
}

export interface HealthcheckModel {
  args: string[];
  /** Shell form (`CMD-SHELL`): args is the one script. */
  shell: boolean;
  interval: string | undefined;
  timeout: string | undefined;
  startPeriod: string | undefined;
  startInterval: string | undefined;
  retries: number | undefined;
}

/**
 * Part of the repository that a stage adds: the files as Directory.filter include patterns
 * relative to the repository root (sorted) — a COPY of the folder `<app>/x/` is `<app>/x/**`, a
 * file or glob keeps its path — and where the repository root lands, so each file lands at
 * `<at>/<its path>`. A Dockerfile's `COPY --from=layout /layout/<part>/ <at>` is the pattern
 * `layout:<part>`: what the layout program (LAYOUT_PROGRAM) writes there for the context; the
 * parity test runs it over the example to compare files with files.
 */
export interface SourceInputs {
  include: string[];
  at: string;
}

/** The include pattern standing for what the layout stage wrote in /layout/<part>. */
export const layoutPart = (part: string) => `layout:${part}`;

/** A folder of a build stage copied into the runtime image. */
export interface RuntimeCopy {
  /** The build stage it comes from. */
  from: string;
  path: string;
  to: string;
  owner: string | undefined;
}

/** The stages the build is made of; `generate` is optional. (`layout` prepares inputs and is read apart.) */
export const BUILD_STAGES = ["deps", "generate", "build", "prune"] as const;

/** Everything the parity test compares, one aspect a field. */
export interface BuildModel extends ImageConfigModel {
  /** The app's folder in the repository. */
  appFolder: string;
  buildImage: string;
  runtimeImage: string;
  /** Each build stage after deps and the stage it starts FROM, e.g. { generate: "deps", build: "generate", prune: "generate" }. */
  stageParents: Record<string, string>;
  /** The files the install step sees. */
  installInputs: SourceInputs;
  install: RunCommand[];
  /** The files the generate stage adds; undefined without a generate stage. */
  generateInputs: SourceInputs | undefined;
  generate: RunCommand[];
  /** The files the build stage adds: the local packages the app links to, and the whole app folder. */
  buildInputs: SourceInputs;
  build: RunCommand[];
  /** The files the prune stage adds before its commands; undefined when it adds none. */
  pruneInputs: SourceInputs | undefined;
  prune: RunCommand[];
  /** Package-manager paths the runtime root filesystem goes without, relative to /, sorted. */
  removedFromRuntimeRoot: string[];
  /** The folders of the build stages the runtime gets, in order, each with its owner. */
  appFiles: RuntimeCopy[];
}

/** What an image's config says, as the runtime and the migrations image both set it. */
export interface ImageConfigModel {
  user: string | undefined;
  workdir: string | undefined;
  env: Record<string, string>;
  /** `3000/tcp`. */
  exposedPorts: string[];
  healthcheck: HealthcheckModel | undefined;
  entrypoint: string[];
  cmd: string[];
  labels: Record<string, string>;
}

/**
 * The backend's migrations image (Dockerfile.backend's stages migrate-deps, migrate-engine and
 * migrate; the Dagger plan's images/migrations.ts), compared aspect by aspect like BuildModel.
 */
export interface MigrateModel extends ImageConfigModel {
  /**
   * Every command that makes the engine stage's input, in order: those of the stages migrate-deps
   * continues (deps, generate, the local packages' build), then its own.
   */
  deps: RunCommand[];
  /** The image the engine stage starts from (the runtime base). */
  engineImage: string;
  /** The folders the engine stage copies in, each from a stage. */
  engineCopies: RuntimeCopy[];
  engine: RunCommand[];
  /** The runtime root the image starts from, as the runtime's: its base and what is removed from it. */
  runtimeImage: string;
  removedFromRuntimeRoot: string[];
  /** The folders of the build stages the image gets after the root, in order, each with its owner. */
  appFiles: RuntimeCopy[];
  /**
   * The Prisma files: patterns relative to the app folder (the Dagger filter), or `layout:prisma`
   * (what the layout stage wrote for prisma generate, of the app folder); where they land, and the owner.
   */
  prismaFiles: { include: string[]; to: string; owner: string | undefined };
}

export interface ParsedDockerfile {
  model: BuildModel;
  /** The backend's migrations image, when the Dockerfile has its stages (Dockerfile.backend does, Dockerfile.frontend not). */
  migrate: MigrateModel | undefined;
  /** The layout stage's one command (it reads the build context and writes /layout): no Dagger counterpart, checked apart. */
  layout: RunCommand;
  /** Every ARG default (global and per stage), resolved with the build arguments given: what `docker build` uses for an ARG not given. */
  argDefaults: Record<string, string>;
}

export class DockerfileModelError extends Error {
  override name = "DockerfileModelError";
}

/** The stages the model is read from; the Dockerfiles name them so. Any other stage is an error. */
const REQUIRED_STAGES = ["layout", "deps", "build", "prune", "runtime-base", "runtime-root", "runtime"] as const;
const OPTIONAL_STAGES = ["generate"] as const;
type StageName = (typeof REQUIRED_STAGES)[number] | (typeof OPTIONAL_STAGES)[number];
/** The migrations image's stages: all three or none (MigrateModel). */
const MIGRATE_STAGES = ["migrate-deps", "migrate-engine", "migrate"] as const;
const KNOWN_STAGES: readonly string[] = [...REQUIRED_STAGES, ...OPTIONAL_STAGES, ...MIGRATE_STAGES];
/**
 * A part of a build stage, e.g. `generate-on`, `build-packages` or `prune-deps`: a stage continuing a part continues
 * what the part continues, with the part's instructions first — so `FROM generate-${PRISMA} AS
 * generate` is the chosen variant, and a part no stage continues is never built and never read.
 */
const STAGE_PART = /^(?:generate|build|prune)-[a-z]+$/;

/**
 * A command as argv, normalised so a Dockerfile RUN and a Dagger withExec compare equal exactly
 * when they run the same:
 * - a `/bin/sh -c` script has its unquoted blank runs collapsed to one space and is trimmed: to
 *   the shell they are one word separator, and a Dockerfile's line continuations leave the next
 *   line's indentation in the script;
 * - a script made only of plain words and quoted strings (no `$`, backticks or backslashes in
 *   double quotes; no globs, operators or leading assignment outside quotes) is the argv of those
 *   words with their quotes removed: `sh -c "pnpm run build"` execs exactly `pnpm run build`, and
 *   `sh -c "npm i 'pnpm@1.2.3'"` exactly `npm i pnpm@1.2.3`.
 */
export function canonicalCommand(args: readonly string[]): string[] {
  const [shell, flag, script, ...rest] = args;
  if (shell !== "/bin/sh" || flag !== "-c" || script === undefined || rest.length > 0) return [...args];
  const collapsed = collapseShellBlanks(script);
  return simpleWords(collapsed) ?? ["/bin/sh", "-c", collapsed];
}

const PLAIN_CHAR = /[A-Za-z0-9_@%+=:,./-]/;

/** The words of a script of plain and quoted words, quotes removed; undefined for anything the shell would expand or interpret. */
function simpleWords(script: string): string[] | undefined {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < script.length; i++) {
    const ch = script[i]!;
    if (ch === " ") {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (ch === "'" || ch === '"') {
      const end = script.indexOf(ch, i + 1);
      const quoted = end < 0 ? undefined : script.slice(i + 1, end);
      if (quoted === undefined || (ch === '"' && /[$`\\]/.test(quoted))) return undefined;
      word = (word ?? "") + quoted;
      i = end;
    } else if (PLAIN_CHAR.test(ch) && !(ch === "=" && words.length === 0 && !script.slice(0, i).includes(" "))) {
      word = (word ?? "") + ch;
    } else return undefined;
  }
  if (word !== undefined) words.push(word);
  return words.length > 0 ? words : undefined;
}

/** Collapses runs of unquoted blanks to one space and trims; quoted and backslash-escaped text is kept as is. */
export function collapseShellBlanks(script: string): string {
  let out = "";
  let quote: "'" | '"' | undefined;
  let pendingBlank = false;
  for (let i = 0; i < script.length; i++) {
    const ch = script[i]!;
    if (!quote && /\s/.test(ch)) {
      pendingBlank = out.length > 0;
      continue;
    }
    if (pendingBlank) out += " ";
    pendingBlank = false;
    if (ch === "\\" && quote !== "'" && i + 1 < script.length) {
      out += ch + script[++i];
      continue;
    }
    if ((ch === "'" || ch === '"') && (!quote || quote === ch)) quote = quote ? undefined : ch;
    out += ch;
  }
  return out;
}

interface ParsedRun {
  command: RunCommand;
  /** The shell-form script, resolved and collapsed, without the CA assignment; undefined for exec form. */
  script: string | undefined;
  where: string;
}

interface ParsedCopy {
  from: string | undefined;
  chown: string | undefined;
  sources: string[];
  dest: string;
  /** The destination was written with a trailing slash: a folder that files are copied into, never a new file name. */
  destIsFolder: boolean;
  where: string;
}

interface Stage {
  name: string;
  /** The resolved base image, or the name of the stage it continues. */
  from: string;
  /** The stage it continues (FROM <stage>), if it does. */
  parent: string | undefined;
  /** The ARGs declared without a default anywhere and given as build arguments: Docker hands them to RUN. */
  knobs: Record<string, string>;
  /** Values `${NAME}` resolves to here: the stage's ARGs and the ENV in force (ENV wins, as in Docker). */
  vars: Map<string, string>;
  env: Record<string, string>;
  workdir: string | undefined;
  user: string | undefined;
  labels: Record<string, string>;
  exposedPorts: string[];
  healthcheck: HealthcheckModel | undefined;
  entrypoint: string[];
  cmd: string[];
  runs: ParsedRun[];
  copies: ParsedCopy[];
}

/**
 * Reads a Dockerfile's text (`file` names it in errors) into the parity model, as `docker build`
 * resolves it with `buildArgs` given as `--build-arg NAME=value`. A build argument no ARG declares
 * is an error: Docker only warns, and a misspelt name would leave the comparison at the defaults.
 */
export function readDockerfile(text: string, file: string, buildArgs: Readonly<Record<string, string>> = {}): ParsedDockerfile {
  const reader = new Reader(file, new Map(Object.entries(buildArgs)));
  for (const instruction of DockerfileParser.parse(text).getInstructions()) reader.read(instruction);
  const unused = Object.keys(buildArgs).filter((name) => !reader.declared.has(name));
  if (unused.length > 0) {
    throw new DockerfileModelError(`${file}: build argument ${unused.join(", ")} is declared by no ARG — fix the name, or declare it where it is used`);
  }
  return { model: reader.model(), migrate: reader.migrateModel(), layout: reader.layoutCommand(), argDefaults: Object.fromEntries(reader.argDefaults) };
}

class Reader {
  readonly argDefaults = new Map<string, string>();
  /** Every ARG name declared anywhere. */
  readonly declared = new Set<string>();
  private readonly globals = new Map<string, string>();
  /** Global ARGs declared with a default. */
  private readonly defaultedGlobals = new Set<string>();
  private readonly stages = new Map<string, Stage>();
  private current: Stage | undefined;

  constructor(
    private readonly file: string,
    private readonly buildArgs: ReadonlyMap<string, string>,
  ) {}

  read(instruction: Instruction): void {
    const where = `${this.file}:${instruction.getRange().start.line + 1}`;
    const keyword = instruction.getKeyword();
    if (instruction instanceof From) return this.from(instruction, where);
    if (instruction instanceof Arg) return this.arg(instruction, where);
    const stage = this.current;
    if (!stage) throw new DockerfileModelError(`${where}: ${keyword} before the first FROM — only ARG may come first`);
    if (instruction instanceof Env) {
      for (const p of instruction.getProperties()) {
        const value = this.propertyValue(p.getValue(), p.getUnescapedValue(), stage.vars, where);
        stage.env[p.getName()] = value;
        stage.vars.set(p.getName(), value);
      }
    } else if (instruction instanceof Label) {
      for (const p of instruction.getProperties()) {
        stage.labels[expand(p.getName(), stage.vars, where, "error")] = this.propertyValue(p.getValue(), p.getUnescapedValue(), stage.vars, where);
      }
    } else if (instruction instanceof Run) {
      stage.runs.push(this.run(instruction, stage, where));
    } else if (instruction instanceof Copy) {
      stage.copies.push(this.copy(instruction, stage, where));
    } else if (instruction instanceof Healthcheck) {
      stage.healthcheck = this.healthcheck(instruction, where);
    } else if (keyword === "WORKDIR") {
      stage.workdir = path.resolve(stage.workdir ?? "/", expand(content(instruction, where), stage.vars, where, "error"));
    } else if (keyword === "USER") {
      stage.user = expand(content(instruction, where), stage.vars, where, "error");
    } else if (keyword === "EXPOSE") {
      for (const a of instruction.getArguments()) {
        const port = expand(a.getValue(), stage.vars, where, "error");
        // EXPOSE 3000 means tcp, as Dagger's withExposedPort defaults to TCP.
        stage.exposedPorts.push(port.includes("/") ? port.toLowerCase() : `${port}/tcp`);
      }
    } else if (instruction instanceof Entrypoint || instruction instanceof Cmd) {
      // Neither expands variables at build time, in either form.
      const args = execForm(instruction) ?? ["/bin/sh", "-c", content(instruction, where)];
      if (instruction instanceof Entrypoint) {
        stage.entrypoint = args;
        // Setting an entrypoint resets the default arguments, in Docker and in Dagger's withEntrypoint.
        stage.cmd = [];
      } else stage.cmd = args;
    } else {
      throw new DockerfileModelError(`${where}: ${keyword} is not modelled by the parity test — extend test/support/dockerfile.ts to compare it with the Dagger plan`);
    }
  }

  model(): BuildModel {
    for (const name of REQUIRED_STAGES) this.stage(name);
    const unknown = [...this.stages.keys()].filter((name) => !KNOWN_STAGES.includes(name) && !STAGE_PART.test(name));
    if (unknown.length > 0) {
      throw new DockerfileModelError(`${this.file}: stage ${unknown.join(", ")} is not modelled — the parity model reads the stages ${describeStages()}; extend test/support/dockerfile.ts to compare another`);
    }
    const deps = this.stage("deps");
    // A generate stage that adds and runs nothing (PRISMA=off) is deps itself: no stage.
    const generate = this.nonEmpty("generate");
    const build = this.stage("build");
    const prune = this.stage("prune");
    const runtime = this.stage("runtime");
    if (runtime.from !== "scratch") throw new DockerfileModelError(`${this.file}: stage runtime starts FROM ${runtime.from}, expected FROM scratch`);
    const appCopy = build.copies.filter((copy) => copy.from === undefined);
    const source = this.single(appCopy, "build", "COPY of the app source");
    const [sourceDir] = source.sources;
    if (source.sources.length !== 1 || !sourceDir?.endsWith("/")) {
      throw new DockerfileModelError(`${source.where}: expected the build stage to copy one folder (\`COPY <app>/ ./\`), found ${describeCopy(source)}`);
    }
    const appFolder = path.normalize(sourceDir);
    return {
      appFolder: appFolder.replace(/\/$/, "") || ".",
      buildImage: deps.from,
      runtimeImage: this.stage("runtime-base").from,
      stageParents: Object.fromEntries([generate, build, prune].flatMap((stage) => (stage ? [[stage.name, this.buildParent(stage)]] : []))),
      installInputs: this.inputsOf(deps),
      install: deps.runs.map((r) => r.command),
      generateInputs: generate && this.inputsOf(generate),
      generate: generate?.runs.map((r) => r.command) ?? [],
      buildInputs: this.inputsOf(build),
      build: build.runs.map((r) => r.command),
      pruneInputs: prune.copies.length > 0 ? this.inputsOf(prune) : undefined,
      prune: prune.runs.map((r) => r.command),
      removedFromRuntimeRoot: this.removedFromRuntimeRoot(),
      appFiles: this.appFiles(runtime),
      user: runtime.user,
      workdir: runtime.workdir,
      env: runtime.env,
      exposedPorts: runtime.exposedPorts,
      healthcheck: runtime.healthcheck,
      entrypoint: runtime.entrypoint,
      cmd: runtime.cmd,
      labels: runtime.labels,
    };
  }

  private from(instruction: From, where: string): void {
    const flags = instruction.getFlags();
    if (flags.length > 0) throw new DockerfileModelError(`${where}: FROM ${flags.map(String).join(" ")} is not modelled — expected FROM <image> AS <stage>`);
    const [image] = instruction.getArguments();
    if (!image) throw new DockerfileModelError(`${where}: FROM without an image`);
    // FROM sees only the ARGs declared before the first FROM.
    const from = expand(image.getValue(), this.globals, where, "error");
    const name = instruction.getBuildStage() ?? String(this.stages.size);
    const continued = this.stages.get(from);
    // A part is read into the stage continuing it (STAGE_PART).
    const part = continued && STAGE_PART.test(continued.name) ? continued : undefined;
    const parent = part ? (part.parent === undefined ? undefined : this.stages.get(part.parent)) : continued;
    const stage: Stage = {
      name,
      from: part ? part.from : from,
      parent: parent?.name,
      knobs: {},
      // A stage continued with FROM <stage> inherits its ENV and image config, but not its ARGs.
      vars: new Map(Object.entries(parent?.env ?? {})),
      env: { ...parent?.env },
      workdir: parent?.workdir,
      user: parent?.user,
      labels: { ...parent?.labels },
      exposedPorts: [...(parent?.exposedPorts ?? [])],
      healthcheck: parent?.healthcheck,
      entrypoint: [...(parent?.entrypoint ?? [])],
      cmd: [...(parent?.cmd ?? [])],
      runs: [...(part?.runs ?? [])],
      copies: [...(part?.copies ?? [])],
    };
    // Of the part, as of any stage continued: its ENV and image config, but not its ARGs.
    if (part) Object.assign(stage, { env: { ...part.env }, vars: new Map(Object.entries(part.env)), workdir: part.workdir, user: part.user });
    this.stages.set(name, stage);
    this.current = stage;
  }

  private arg(instruction: Arg, where: string): void {
    const property = instruction.getProperty();
    if (!property) throw new DockerfileModelError(`${where}: ARG without a name`);
    const name = property.getName();
    this.declared.add(name);
    const stage = this.current;
    const vars = stage?.vars ?? this.globals;
    const declared = property.getValue();
    const written = declared === null ? undefined : this.propertyValue(declared, property.getUnescapedValue(), vars, where);
    if (written !== undefined) {
      const earlier = this.argDefaults.get(name);
      if (earlier !== undefined && earlier !== written) {
        throw new DockerfileModelError(`${where}: ARG ${name} defaults to "${written}" here but "${earlier}" earlier — one default per argument, or \`docker build\` differs by stage`);
      }
      this.argDefaults.set(name, written);
      if (!stage) this.defaultedGlobals.add(name);
    }
    // `ARG NAME` inside a stage takes the global value; a given build argument wins over both.
    const value = this.buildArgs.get(name) ?? written ?? (stage ? this.globals.get(name) : undefined);
    if (stage && written === undefined && !this.defaultedGlobals.has(name) && value !== undefined) stage.knobs[name] = value;
    // ENV wins over an ARG of the same name; with no value at all, ${NAME} is empty.
    if (!(stage && name in stage.env)) vars.set(name, value ?? "");
  }

  private run(instruction: Run, stage: Stage, where: string): ParsedRun {
    const mounts = instruction.getFlags().map((flag) => mountOf(flag, where)).sort();
    // ENV wins over an ARG of the same name.
    const env = { ...stage.knobs, ...stage.env };
    let script: string | undefined;
    let args = execForm(instruction);
    if (!args) {
      // The shell expands the stage's ARGs and ENV (RUN gets them as environment); names it
      // does not declare are the script's own shell variables and stay for the shell.
      script = collapseShellBlanks(expand(content(instruction, where), stage.vars, where, "keep"));
      // The Dockerfiles point Node at the CA secret inline, for that one command; the Dagger side
      // sets the same variable around the same command, and only when a CA is given.
      const ca = /^NODE_EXTRA_CA_CERTS=(\S+) /.exec(script);
      if (ca) {
        env["NODE_EXTRA_CA_CERTS"] = ca[1]!;
        script = script.slice(ca[0].length);
      }
      args = ["/bin/sh", "-c", script];
    }
    return { command: { args: canonicalCommand(args), workdir: stage.workdir, user: stage.user, env, mounts }, script, where };
  }

  private copy(instruction: Copy, stage: Stage, where: string): ParsedCopy {
    let from: string | undefined;
    let chown: string | undefined;
    for (const flag of instruction.getFlags()) {
      const value = expand(flag.getValue() ?? "", stage.vars, where, "error");
      if (flag.getName() === "from") from = value;
      else if (flag.getName() === "chown") chown = value;
      else throw new DockerfileModelError(`${where}: COPY --${flag.getName()} is not modelled — expected only --from and --chown`);
    }
    const words = execForm(instruction) ?? instruction.getArguments().map((a) => a.getValue());
    const resolved = words.map((w) => expand(w, stage.vars, where, "error"));
    const dest = resolved.pop();
    if (dest === undefined || resolved.length === 0) throw new DockerfileModelError(`${where}: COPY needs at least one source and a destination`);
    return { from, chown, sources: resolved, dest: path.resolve(stage.workdir ?? "/", dest), destIsFolder: dest.endsWith("/"), where };
  }

  private healthcheck(instruction: Healthcheck, where: string): HealthcheckModel | undefined {
    const flags = new Map(instruction.getFlags().map((f) => [f.getName(), f.getValue() ?? ""]));
    const known = ["interval", "timeout", "start-period", "start-interval", "retries"];
    const unknown = [...flags.keys()].filter((k) => !known.includes(k));
    if (unknown.length > 0) throw new DockerfileModelError(`${where}: HEALTHCHECK --${unknown.join(", --")} is not modelled — expected ${known.map((k) => `--${k}`).join(", ")}`);
    // Flags are not part of the content, so it starts with the subcommand.
    const text = content(instruction, where);
    if (text.toUpperCase() === "NONE") return undefined;
    if (!text.toUpperCase().startsWith("CMD ")) throw new DockerfileModelError(`${where}: HEALTHCHECK ${text} — expected HEALTHCHECK [options] CMD <command>, or NONE`);
    const command = text.slice("CMD ".length).trim();
    const shell = !command.startsWith("[");
    const args = shell ? [command] : jsonStrings(command, `${where}: HEALTHCHECK CMD`);
    const retries = flags.get("retries");
    if (retries !== undefined && !/^\d+$/.test(retries)) throw new DockerfileModelError(`${where}: HEALTHCHECK --retries=${retries} — expected a whole number`);
    return {
      args,
      shell,
      interval: flags.get("interval"),
      timeout: flags.get("timeout"),
      startPeriod: flags.get("start-period"),
      startInterval: flags.get("start-interval"),
      retries: retries === undefined ? undefined : Number(retries),
    };
  }

  /** ENV and LABEL values: Docker expands ${VAR} except in single quotes; the model supports the quoting the Dockerfiles use. */
  private propertyValue(value: string | null, raw: string | null, vars: Map<string, string>, where: string): string {
    if (raw?.includes("'") && raw.includes("$")) {
      throw new DockerfileModelError(`${where}: ${raw} — a single-quoted value with $ is not modelled; use double quotes`);
    }
    return expand(value ?? "", vars, where, "error");
  }

  private stage(name: StageName): Stage {
    const stage = this.stages.get(name);
    if (!stage) {
      const found = [...this.stages.keys()].join(", ") || "none";
      throw new DockerfileModelError(`${this.file}: no stage "${name}" (found ${found}) — the parity model reads the stages ${describeStages()}`);
    }
    return stage;
  }

  private nonEmpty(name: StageName): Stage | undefined {
    const stage = this.stages.get(name);
    return stage && (stage.runs.length > 0 || stage.copies.length > 0 || stage.parent !== "deps") ? stage : undefined;
  }

  /** The build stage a later build stage continues: any one before it, never an image; an empty generate stage is the deps it continues. */
  private buildParent(stage: Stage): string {
    const before = BUILD_STAGES.slice(0, (BUILD_STAGES as readonly string[]).indexOf(stage.name)).filter((name) => this.stages.has(name));
    if (stage.parent === undefined || !before.some((name) => name === stage.parent)) {
      throw new DockerfileModelError(`${this.file}: stage ${stage.name} starts FROM ${stage.from}, expected FROM one of the build stages before it (${before.join(", ")})`);
    }
    return stage.parent === "generate" && !this.nonEmpty("generate") ? "deps" : stage.parent;
  }

  /**
   * The migrations image: migrate-deps (continuing the build's stages), migrate-engine (continuing
   * runtime-base, copying migrate-deps' folder) and migrate (from scratch: the runtime root, the
   * engine stage's folder, the layout's Prisma files; nothing runs). Undefined without these stages.
   */
  migrateModel(): MigrateModel | undefined {
    const present = MIGRATE_STAGES.filter((name) => this.stages.has(name));
    if (present.length === 0) return undefined;
    if (present.length < MIGRATE_STAGES.length) {
      throw new DockerfileModelError(`${this.file}: found the stages ${present.join(", ")} of the migrations image, expected all of ${MIGRATE_STAGES.join(", ")}`);
    }
    const [deps, engine, image] = MIGRATE_STAGES.map((name) => this.stages.get(name)!);
    const lineage = (stage: Stage): RunCommand[] => [...(stage.parent ? lineage(this.stages.get(stage.parent)!) : []), ...stage.runs.map((r) => r.command)];
    if (!deps!.parent || !(BUILD_STAGES as readonly string[]).includes(deps!.parent)) {
      throw new DockerfileModelError(`${this.file}: stage migrate-deps starts FROM ${deps!.from}, expected FROM a build stage (${BUILD_STAGES.join(", ")}) or a part of one`);
    }
    if (engine!.parent !== "runtime-base") throw new DockerfileModelError(`${this.file}: stage migrate-engine starts FROM ${engine!.from}, expected FROM runtime-base`);
    if (image!.from !== "scratch") throw new DockerfileModelError(`${this.file}: stage migrate starts FROM ${image!.from}, expected FROM scratch`);
    if (image!.runs.length > 0) throw new DockerfileModelError(`${image!.runs[0]!.where}: RUN in the migrate stage — it starts FROM scratch and may have no shell`);
    const stageCopy = (copy: ParsedCopy, stages: readonly string[]): RuntimeCopy => {
      const [source, ...more] = copy.sources;
      if (!stages.includes(copy.from ?? "") || source === undefined || more.length > 0) {
        throw new DockerfileModelError(`${copy.where}: expected one folder of ${stages.join(" or ")} per COPY, found ${describeCopy(copy)}`);
      }
      return { from: copy.from!, path: path.resolve("/", source), to: copy.dest, owner: copy.chown ?? "0:0" };
    };
    const [rootCopy, ...copies] = image!.copies;
    const rootDir = this.single(this.stage("runtime-root").copies, "runtime-root", "runtime base's root filesystem").dest;
    if (rootCopy?.from !== "runtime-root" || rootCopy.sources.map((s) => path.resolve("/", s)).join(" ") !== rootDir || rootCopy.dest !== "/") {
      throw new DockerfileModelError(`${this.file}: the migrate stage must start with COPY --from=runtime-root ${rootDir} /, found ${rootCopy ? describeCopy(rootCopy) : "none"}`);
    }
    const prismaCopies = copies.filter((copy) => copy.from === "layout");
    const prisma = this.single(prismaCopies, "migrate", "Prisma files of the layout stage");
    if (prisma.sources.length !== 1 || prisma.sources[0] !== `/layout/prisma/${this.model().appFolder === "." ? "" : `${this.model().appFolder}/`}` || !prisma.destIsFolder) {
      throw new DockerfileModelError(`${prisma.where}: expected COPY --from=layout /layout/prisma/<app folder>/ <folder>/, found ${describeCopy(prisma)}`);
    }
    return {
      deps: lineage(deps!),
      engineImage: this.stage("runtime-base").from,
      engineCopies: engine!.copies.map((copy) => stageCopy(copy, ["migrate-deps"])),
      engine: engine!.runs.map((r) => r.command),
      runtimeImage: this.stage("runtime-base").from,
      removedFromRuntimeRoot: this.removedFromRuntimeRoot(),
      appFiles: copies.filter((copy) => copy !== prisma).map((copy) => stageCopy(copy, ["migrate-engine"])),
      prismaFiles: { include: [layoutPart("prisma")], to: prisma.dest, owner: prisma.chown ?? "0:0" },
      user: image!.user,
      workdir: image!.workdir,
      env: image!.env,
      exposedPorts: image!.exposedPorts,
      healthcheck: image!.healthcheck,
      entrypoint: image!.entrypoint,
      cmd: image!.cmd,
      labels: image!.labels,
    };
  }

  /** The layout stage: one RUN over the build context, mounted; no COPY, nothing else. */
  layoutCommand(): RunCommand {
    const stage = this.stage("layout");
    const [run, ...more] = stage.runs;
    if (!run || more.length > 0 || stage.copies.length > 0) {
      throw new DockerfileModelError(`${this.file}: stage layout must run exactly one command and copy nothing, found ${stage.runs.length} RUN and ${stage.copies.length} COPY`);
    }
    return run.command;
  }

  /**
   * The files a stage adds, read as a Dagger filter of the repository would keep them: each COPY
   * must put a file at its own path, and a folder `x/` at `x`, below one folder (the repository
   * root's place); `COPY --from=layout /layout/<part>/ <at>` is the pattern `layout:<part>`.
   */
  private inputsOf(stage: Stage): SourceInputs {
    const inputs = stage.copies.flatMap((copy) => copy.sources.map((source) => this.inputOf(stage, copy, source)));
    const [first] = inputs;
    if (!first) throw new DockerfileModelError(`${this.file}: stage ${stage.name} copies no source — expected COPY <app>/<file>… ./`);
    const stray = inputs.find((input) => input.at !== first.at);
    if (stray) {
      throw new DockerfileModelError(`${stray.where}: the ${stage.name} stage's files put the repository root in ${stray.at} here but in ${first.at} before — a filtered copy puts all of it below one folder`);
    }
    return { include: inputs.map((input) => input.include).sort(), at: first.at };
  }

  private inputOf(stage: Stage, copy: ParsedCopy, source: string): { include: string; at: string; where: string } {
    if (copy.from === "layout") {
      const part = /^\/layout\/([a-z]+)\/$/.exec(source)?.[1];
      if (part === undefined || !copy.destIsFolder) {
        throw new DockerfileModelError(`${copy.where}: expected COPY --from=layout /layout/<part>/ <folder>/, found ${describeCopy(copy)}`);
      }
      return { include: layoutPart(part), at: copy.dest, where: copy.where };
    }
    if (copy.from !== undefined || source.startsWith("/") || path.normalize(source).startsWith("..")) {
      throw new DockerfileModelError(`${copy.where}: the ${stage.name} stage's source must come from the build context or the layout stage, found ${describeCopy(copy)}`);
    }
    // `<folder>/` is the whole folder; "./" (APP_DIR=.) is the whole repository.
    const folder = source.endsWith("/");
    const name = path.normalize(source).replace(/\/$/, "");
    if (!folder && !copy.destIsFolder) {
      throw new DockerfileModelError(`${copy.where}: COPY ${source} to a file name is not modelled — end the destination with "/" so the file keeps its name`);
    }
    // A folder's contents land in the destination itself; a file lands in the destination folder.
    const keptAt = folder ? name : path.dirname(name);
    const at = keptAt === "." ? copy.dest : copy.dest.endsWith(`/${keptAt}`) ? copy.dest.slice(0, -keptAt.length - 1) || "/" : undefined;
    if (at === undefined) {
      throw new DockerfileModelError(`${copy.where}: COPY puts ${source} in ${copy.dest}, not in <folder>/${keptAt} where a filtered copy of the repository keeps it`);
    }
    return { include: !folder ? name : name === "." ? "**" : `${name}/**`, at, where: copy.where };
  }

  private single<T extends { where: string }>(items: T[], stage: string, what: string): T {
    const [only] = items;
    if (!only || items.length > 1) throw new DockerfileModelError(`${this.file}: stage ${stage} has ${items.length} COPY instructions, expected one: the ${what}`);
    return only;
  }

  /** The runtime-root stage: the runtime base copied to a folder, then one `rm -rf` of paths inside it. */
  private removedFromRuntimeRoot(): string[] {
    const stage = this.stage("runtime-root");
    const copy = this.single(stage.copies, "runtime-root", "runtime base's root filesystem");
    if (copy.from !== "runtime-base" || copy.sources.join(" ") !== "/") {
      throw new DockerfileModelError(`${copy.where}: expected COPY --from=runtime-base / <folder>, found ${describeCopy(copy)}`);
    }
    const [run, ...more] = stage.runs;
    const words = run?.script?.split(" ") ?? [];
    if (!run || more.length > 0 || words[0] !== "rm" || words[1] !== "-rf" || words.some((w) => /["'\\$]/.test(w))) {
      throw new DockerfileModelError(`${this.file}: stage runtime-root must run one \`rm -rf <paths>\` without quotes or variables, found ${stage.runs.map((r) => JSON.stringify(r.script ?? r.command.args)).join(", ") || "none"}`);
    }
    const root = `${copy.dest}/`;
    const paths = words.slice(2);
    const stray = paths.filter((p) => !p.startsWith(root));
    if (stray.length > 0) throw new DockerfileModelError(`${run.where}: rm -rf ${stray.join(" ")} is outside ${root}, the copied runtime root`);
    return paths.map((p) => p.slice(root.length)).sort();
  }

  /** The runtime stage: the cleaned root at /, then folders of the build stages; nothing runs there. */
  private appFiles(runtime: Stage): RuntimeCopy[] {
    if (runtime.runs.length > 0) throw new DockerfileModelError(`${runtime.runs[0]!.where}: RUN in the runtime stage — it starts FROM scratch and may have no shell`);
    const [rootCopy, ...copies] = runtime.copies;
    // A COPY of a folder copies its contents, with or without a trailing slash.
    const rootDir = this.single(this.stage("runtime-root").copies, "runtime-root", "runtime base's root filesystem").dest;
    if (rootCopy?.from !== "runtime-root" || rootCopy.sources.map((s) => path.resolve("/", s)).join(" ") !== rootDir || rootCopy.dest !== "/") {
      throw new DockerfileModelError(`${this.file}: the runtime stage must start with COPY --from=runtime-root ${rootDir} /, found ${rootCopy ? describeCopy(rootCopy) : "none"}`);
    }
    return copies.map((copy) => {
      const [source, ...more] = copy.sources;
      const stages = BUILD_STAGES.filter((name) => this.stages.has(name));
      if (!stages.some((name) => name === copy.from) || source === undefined || more.length > 0) {
        throw new DockerfileModelError(`${copy.where}: the runtime stage may copy, besides the root, one folder of a build stage (${stages.join(", ")}) per COPY, found ${describeCopy(copy)}`);
      }
      // COPY without --chown writes root-owned files.
      return { from: copy.from!, path: path.resolve("/", source), to: copy.dest, owner: copy.chown ?? "0:0" };
    });
  }
}

function jsonStrings(text: string, what: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new DockerfileModelError(`${what} ${text} does not parse as JSON (${(error as Error).message}) — expected a JSON array of strings`);
  }
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === "string")) {
    throw new DockerfileModelError(`${what} ${text} — expected a JSON array of strings`);
  }
  return parsed;
}

/**
 * JSON (exec) form arguments, or undefined for shell form. Parsed from the instruction's text:
 * dockerfile-ast's getJSONValue drops the blanks inside a string (`"a b"` reads `ab`), which a
 * program given to `node -e` in exec form has.
 */
function execForm(instruction: JSONInstruction): string[] | undefined {
  if (instruction.getJSONStrings().length === 0) return undefined;
  const text = instruction.getArgumentsContent();
  return text === null ? undefined : jsonStrings(text.trim(), `${instruction.getKeyword()}`);
}

/** The instruction's arguments as written, flags left out and line continuations joined. */
function content(instruction: Instruction, where: string): string {
  const text = instruction.getArgumentsContent();
  if (text === null) throw new DockerfileModelError(`${where}: ${instruction.getKeyword()} without arguments — expected at least one`);
  return text;
}

/** A BuildKit `--mount` as `<type> <target>`; only the cache and secret mounts the Dagger side can mirror. */
function mountOf(flag: Flag, where: string): string {
  if (flag.getName() !== "mount") throw new DockerfileModelError(`${where}: RUN --${flag.getName()} is not modelled — expected only --mount`);
  const options = new Map(flag.getOptions().map((o) => [o.getName(), o.getValue() ?? ""]));
  const type = options.get("type");
  const target = options.get("target") ?? options.get("dst") ?? options.get("destination");
  if (type === "cache" && target) return `cache ${path.resolve("/", target)}`;
  // BuildKit mounts a secret at /run/secrets/<id> unless a target is given.
  const id = options.get("id");
  if (type === "secret" && (target || id)) return `secret ${target ? path.resolve("/", target) : `/run/secrets/${id}`}`;
  // The build context, read-only: the layout stage's only input.
  if (type === "bind" && target && !options.has("from") && !options.has("source") && !options.has("rw")) return `bind-context ${path.resolve("/", target)}`;
  throw new DockerfileModelError(`${where}: --mount=${flag.getValue() ?? ""} is not modelled — expected type=cache with a target, type=secret with an id or target, or type=bind of the whole context with a target`);
}

function describeStages(): string {
  return [...REQUIRED_STAGES.slice(0, 2), ...OPTIONAL_STAGES.map((name) => `${name} (optional)`), ...REQUIRED_STAGES.slice(2)].join(", ");
}

function describeCopy(copy: ParsedCopy): string {
  const flags = [copy.from && `--from=${copy.from}`, copy.chown && `--chown=${copy.chown}`].filter(Boolean);
  return ["COPY", ...flags, ...copy.sources, copy.dest].join(" ");
}

/**
 * Docker's `${NAME}` / `$NAME` substitution with the values in scope. Single quotes and backslash
 * escapes protect text, as in the shell. A name not in scope is an error (a typo Docker would
 * silently make empty), or kept as written for RUN scripts, whose own variables the shell expands.
 */
function expand(text: string, vars: ReadonlyMap<string, string>, where: string, unknown: "error" | "keep"): string {
  let out = "";
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "\\" && quote !== "'" && i + 1 < text.length) {
      out += ch + text[++i];
      continue;
    }
    if ((ch === "'" && quote !== '"') || (ch === '"' && quote !== "'")) quote = quote ? undefined : ch;
    const reference = ch === "$" && quote !== "'" ? /^\$(?:\{([A-Za-z_]\w*)([^}]*)\}|([A-Za-z_]\w*))/.exec(text.slice(i)) : null;
    if (!reference) {
      out += ch;
      continue;
    }
    const name = (reference[1] ?? reference[3])!;
    const modifier = reference[2] ?? "";
    const value = vars.get(name);
    if (value !== undefined && modifier !== "") {
      throw new DockerfileModelError(`${where}: \${${name}${modifier}} — substitution modifiers are not modelled; use \${${name}} with an ARG default`);
    }
    if (value === undefined && unknown === "error") {
      throw new DockerfileModelError(`${where}: ${reference[0]} names no ARG or ENV in scope — declare it in this stage (ARG ${name}) or fix the name`);
    }
    out += value ?? reference[0];
    i += reference[0].length - 1;
  }
  return out;
}
