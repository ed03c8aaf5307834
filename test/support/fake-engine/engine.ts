/**
 * A fake Dagger engine for plan tests: speaks the session protocol, validates every query
 * against the real API schema, records what the module asked for as step chains, and answers
 * plausibly — commands print and exit as the test's rules say.
 */
import { randomUUID } from "node:crypto";
import { extendSchema, Kind, parse, print, validate, visit, type DocumentNode, type GraphQLSchema } from "graphql";
import { REDACTED, SECRET_ARGUMENTS, referencedChains, renderChain, renderChainMultiline, type Chain, type Step } from "./chain.js";
import { execRecord, type ExecRecord } from "./container-state.js";
import { Holds, type Hold } from "./holds.js";
import { QueryError, type Violation, type ViolationKind } from "./query-error.js";
import { resolveDocument, type Evaluation } from "./resolve.js";
import type { Rule } from "./rules.js";
import { loadSchema } from "./schema.js";
import { listen, type HttpAnswer, type Listening } from "./server.js";
import { repoRoot } from "../paths.js";

export interface FakeEngineOptions {
  /** Schema to validate against; null runs unvalidated. Default: $DRYDOCK_DAGGER_SCHEMA, else ../shared/dagger/schema-v0.21.8.graphqls. */
  readonly schemaPath?: string | null;
  /** Where `host.directory(path)` and `host.file(path)` are read from. Default: the repository root. */
  readonly hostRoot?: string;
  /**
   * SDL added to the schema when the engine starts, e.g. a dependency module's types and its
   * `extend type Query` constructor (test/support/module-schema.ts): queries of a module that
   * depends on another are then validated as the engine serving both would. Needs a schema.
   */
  readonly schemaExtension?: () => string | Promise<string>;
}

/** A step of the plan with the chain that leads to it (ending in the step itself). */
export type LocatedStep = Step & { readonly chain: Chain };

const SESSION_ENV = ["DAGGER_SESSION_PORT", "DAGGER_SESSION_TOKEN", "OTEL_SDK_DISABLED"] as const;

export class FakeEngine {
  /** Every query received, in order, with secret plaintexts replaced by "***". */
  readonly queries: string[] = [];
  /** Queries the real engine would reject, or the fake could not answer honestly. */
  readonly violations: Violation[] = [];
  /** Canned file contents by path or path suffix, for files the chain alone does not tell. */
  readonly files = new Map<string, string>();
  /** Plaintexts of `setSecret` by name, so `plaintext` answers as the real engine would; never recorded. */
  private readonly secrets = new Map<string, string>();
  private validating: GraphQLSchema | undefined;
  /** The schema file queries are validated against; undefined when running unvalidated. */
  readonly schemaPath: string | undefined;
  readonly token = randomUUID();
  private readonly hostRoot: string;
  private readonly rules: Rule[] = [];
  private readonly holds = new Holds();
  private readonly recorded: Evaluation[] = [];
  private listening: Listening | undefined;
  private savedEnv: Partial<Record<(typeof SESSION_ENV)[number], string>> | undefined;
  private readonly schemaExtension: FakeEngineOptions["schemaExtension"];
  private extended = false;

  constructor(options: FakeEngineOptions = {}) {
    const loaded = loadSchema(options.schemaPath);
    this.validating = loaded.schema;
    this.schemaPath = loaded.path;
    this.hostRoot = options.hostRoot ?? repoRoot;
    this.schemaExtension = options.schemaExtension;
  }

  /** The schema queries are validated against: the file's, plus the extension once started. */
  get schema(): GraphQLSchema | undefined {
    return this.validating;
  }

  get port(): number {
    if (!this.listening) throw new Error("the fake engine is not started: call start() first");
    return this.listening.port;
  }

  /** Listens on a random 127.0.0.1 port and points the SDK's session variables at it. */
  async start(): Promise<this> {
    if (this.listening) return this;
    if (this.schemaExtension && !this.extended) {
      if (!this.validating) throw new Error("FakeEngine option schemaExtension: there is no schema to extend (schemaPath: null)");
      this.validating = extendSchema(this.validating, parse(await this.schemaExtension()));
      this.extended = true;
    }
    this.listening = await listen(this.token, (body) => this.handle(body));
    this.savedEnv = Object.fromEntries(SESSION_ENV.map((k) => [k, process.env[k]]));
    this.exportSession();
    return this;
  }

  /** Sets DAGGER_SESSION_PORT/TOKEN (and OTEL_SDK_DISABLED) so `connection()` reaches this engine. */
  exportSession(): void {
    process.env["DAGGER_SESSION_PORT"] = String(this.port);
    process.env["DAGGER_SESSION_TOKEN"] = this.token;
    process.env["OTEL_SDK_DISABLED"] = "true";
  }

  /** Stops listening and restores the session variables found at start. */
  async stop(): Promise<void> {
    this.holds.reset();
    await this.listening?.close();
    this.listening = undefined;
    for (const key of SESSION_ENV) {
      const before = this.savedEnv?.[key];
      if (before === undefined) delete process.env[key];
      else process.env[key] = before;
    }
  }

  /** Adds a canned answer; later rules win over earlier ones. */
  addRule(rule: Rule): this {
    this.rules.push(rule);
    return this;
  }

  /**
   * Holds the answer to queries matching `hold.hold` until a query matching `hold.until` (each
   * of them, for a list) has arrived, or `hold.timeoutMs` has passed — then the held query fails
   * with a "not-concurrent" violation. Proves that two (or more) branches are in flight at the same time.
   */
  addHold(hold: Hold): this {
    this.holds.add(hold);
    return this;
  }

  /** Forgets queries, recordings, violations, rules, holds and files. Object IDs stay valid (the SDK reuses them). */
  reset(): void {
    this.holds.reset();
    this.queries.length = 0;
    this.violations.length = 0;
    this.recorded.length = 0;
    this.rules.length = 0;
    this.files.clear();
  }

  assertNoViolations(): void {
    if (this.violations.length > 0) throw new Error(describeViolations(this.violations));
  }

  /** Every leaf the module asked for, on the chain of the object that owns it. */
  get evaluations(): readonly Evaluation[] {
    return this.recorded;
  }

  /**
   * Every evaluated chain, one step a line, blank line between chains. `id` lookups are left
   * out: the SDK makes one for every object argument, and those chains appear inline where used.
   */
  plan(): string {
    const seen = new Set<string>();
    const blocks: string[] = [];
    for (const e of this.recorded) {
      if (e.leaf.field === "id") continue;
      const chain = [...e.chain, e.leaf];
      const key = renderChain(chain);
      if (seen.has(key)) continue;
      seen.add(key);
      blocks.push(renderChainMultiline(chain));
    }
    return blocks.join("\n\n");
  }

  /** Every step named `field` anywhere in the plan (object arguments included), each once. */
  stepsOf(field: string): LocatedStep[] {
    return this.allSteps().filter((s) => s.field === field);
  }

  /** Every command the plan runs, with the image, user, workdir, env, secrets and mounts in force. */
  execs(): ExecRecord[] {
    return this.stepsOf("withExec").map((s) => execRecord(s.chain));
  }

  /** The image addresses containers start from, in order of first use. */
  froms(): string[] {
    return this.stepsOf("from").map((s) => String(s.args["address"]));
  }

  /** The recorded queries that contain `text` (e.g. a secret's plaintext, which must never be sent outside setSecret). */
  leaks(text: string): string[] {
    const escaped = JSON.stringify(text).slice(1, -1);
    return this.queries.filter((q) => q.includes(text) || q.includes(escaped));
  }

  private allSteps(): LocatedStep[] {
    const seen = new Set<string>();
    const steps: LocatedStep[] = [];
    const walk = (chain: Chain) => {
      chain.forEach((step, i) => {
        const prefix = chain.slice(0, i + 1);
        const key = renderChain(prefix);
        if (seen.has(key)) return;
        seen.add(key);
        steps.push({ ...step, chain: prefix });
      });
    };
    for (const e of this.recorded) {
      const chain = [...e.chain, e.leaf];
      referencedChains(chain).forEach((ref) => walk(ref.chain));
      walk(chain);
    }
    return steps;
  }

  private handle(body: unknown): HttpAnswer | Promise<HttpAnswer> {
    const query = typeof body === "object" && body !== null ? (body as Record<string, unknown>)["query"] : undefined;
    if (typeof query !== "string") return this.reject("invalid-query", `request body must be {"query": "…"}, got ${JSON.stringify(body)}`, String(body), 400);
    const variables = (body as Record<string, unknown>)["variables"];
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (error) {
      return this.reject("invalid-query", `query does not parse: ${(error as Error).message}`, query);
    }
    const recordedQuery = redactSecrets(document, query, this.secrets);
    this.queries.push(recordedQuery);
    if (variables !== undefined && variables !== null && Object.keys(variables).length > 0) {
      return this.reject("invalid-query", "the SDK sends arguments inline; the fake engine does not take variables", recordedQuery);
    }
    if (this.schema) {
      const errors = validate(this.schema, document);
      if (errors.length > 0) return this.reject("invalid-query", errors.map((e) => e.message).join("; "), recordedQuery);
    }
    const before = this.recorded.length;
    try {
      const data = resolveDocument(
        { schema: this.schema, rules: this.rules, files: this.files, secrets: this.secrets, hostRoot: this.hostRoot, record: (e) => this.recorded.push(e) },
        document,
      );
      const answer: HttpAnswer = { status: 200, body: { data } };
      const held = this.holds.admit(this.recorded.slice(before), this.recorded);
      if (!held) return answer;
      return held.then((outcome) =>
        outcome.kind === "timed-out"
          ? this.reject("not-concurrent", `held ${outcome.hold.description} for ${outcome.hold.timeoutMs} ms; what releases it never arrived, so the two ran one after the other`, recordedQuery)
          : answer,
      );
    } catch (error) {
      if (!(error instanceof QueryError)) return this.reject("unanswerable", `fake engine bug: ${(error as Error).stack ?? String(error)}`, recordedQuery);
      if (error.options.violation) return this.reject(error.options.violation, error.message, recordedQuery);
      return { status: 200, body: { data: null, errors: [{ message: error.message, extensions: error.options.extensions }] } };
    }
  }

  private reject(kind: ViolationKind, message: string, query: string, status = 200): HttpAnswer {
    this.violations.push({ kind, message, query });
    return { status, body: { data: null, errors: [{ message: `fake engine (${kind}): ${message}` }] } };
  }
}

export function describeViolations(violations: readonly Violation[]): string {
  const lines = violations.map((v, i) => `${i + 1}. [${v.kind}] ${v.message}\n   query: ${v.query.replace(/\s+/g, " ").trim()}`);
  return `the fake Dagger engine saw ${violations.length} bad quer${violations.length === 1 ? "y" : "ies"}:\n${lines.join("\n")}`;
}

/** The query text to record: unchanged, unless it carries a secret's plaintext — which goes to `secrets` instead, by the secret's name. */
function redactSecrets(document: DocumentNode, raw: string, secrets: Map<string, string>): string {
  let touched = false;
  const redacted = visit(document, {
    Field(node) {
      const secretArgs = SECRET_ARGUMENTS[node.name.value];
      if (!secretArgs || !node.arguments) return undefined;
      const arg = (name: string) => node.arguments?.find((a) => a.name.value === name)?.value;
      const name = arg("name");
      const plaintext = arg("plaintext");
      if (name?.kind === Kind.STRING && plaintext?.kind === Kind.STRING) secrets.set(name.value, plaintext.value);
      touched = true;
      return {
        ...node,
        arguments: node.arguments.map((a) => (secretArgs.includes(a.name.value) ? { ...a, value: { kind: Kind.STRING, value: REDACTED } } : a)),
      };
    },
  });
  return touched ? print(redacted) : raw;
}
