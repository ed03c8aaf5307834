/**
 * The rules of the smoke stage, as pure code: what counts as healthy, how long each wait may
 * take, and the fixed programs that probe and capture. Both ways of running an image share them:
 * the Dagger smoke stage (run.ts) and the Docker e2e, so a rule cannot differ between the two.
 */

/**
 * How long an app may take to exit after SIGTERM: `docker stop`'s default grace period, after which
 * Docker kills it (Kubernetes waits 30 s). The smoke stage measures it through the engine's API, so
 * the engine's own work (the API call, the container's teardown) counts too, which a loaded machine
 * stretches to seconds: 3 s, the bound before, left no room for it.
 * An app that ignores SIGTERM never exits on its own, and fails whatever the bound.
 */
export const STOP_BUDGET_MS = 10_000;

/** Pause between two probes of a URL that did not answer yet. */
export const PROBE_INTERVAL_MS = 500;

/** Longest one probe request may take; a hanging request never eats the whole bound. */
export const PROBE_REQUEST_TIMEOUT_MS = 5_000;

/** How many lines of an app's log a failure shows. */
export const LOG_TAIL_LINES = 30;

/** What a probe accepts: a health path must say 2xx; a page may also redirect (3xx), but not fail. */
export type ProbeKind = "health" | "page";

export function acceptsStatus(kind: ProbeKind, status: number): boolean {
  return kind === "health" ? status >= 200 && status < 300 : status >= 200 && status < 400;
}

/**
 * The probe: fixed text, the same for every app and run. Everything it is told comes as
 * arguments — kind, URL, bound, interval, per-request timeout — so no configured value ever
 * becomes program text. It polls until the URL answers as `acceptsStatus` says or the bound
 * passes, prints one JSON line (ProbeOutcome) and exits 0 when healthy, 1 otherwise.
 */
export const PROBE_PROGRAM = [
  "const [kind,url,within,every,each]=process.argv.slice(1);",
  "const start=Date.now(),deadline=start+Number(within);let attempts=0,last={};",
  "const ok=(s)=>kind==='health'?s>=200&&s<300:s>=200&&s<400;",
  "const done=(healthy)=>{console.log(JSON.stringify({kind,url,healthy,attempts,ms:Date.now()-start,...last}));process.exit(healthy?0:1)};",
  "const once=async()=>{attempts++;",
  "try{const r=await fetch(url,{redirect:'manual',signal:AbortSignal.timeout(Math.max(1,Math.min(Number(each),deadline-Date.now())))});",
  "last={status:r.status};if(ok(r.status))return done(true)}",
  "catch(e){last={error:String(e&&e.name==='TimeoutError'?'no answer within '+each+' ms':(e&&e.cause&&e.cause.code)||(e&&e.message)||e)}}",
  "if(Date.now()+Number(every)>=deadline)return done(false);setTimeout(once,Number(every))};",
  "once();",
].join("");

/** The probe's argv: `node -e PROBE_PROGRAM kind url withinMs intervalMs requestTimeoutMs`. */
export function probeArgs(kind: ProbeKind, url: string, withinMs: number): string[] {
  return ["node", "-e", PROBE_PROGRAM, kind, url, String(withinMs), String(PROBE_INTERVAL_MS), String(PROBE_REQUEST_TIMEOUT_MS)];
}

/** What the probe printed. */
export interface ProbeOutcome {
  kind: ProbeKind;
  url: string;
  healthy: boolean;
  attempts: number;
  ms: number;
  /** The last HTTP status, when the URL answered at all. */
  status?: number;
  /** Why the last request got no answer (ECONNREFUSED, ENOTFOUND, a timeout). */
  error?: string;
}

/** The probe's JSON line, or undefined when the output holds none (the probe itself did not run). */
export function parseProbeOutput(stdout: string): ProbeOutcome | undefined {
  for (const line of stdout.trim().split("\n").reverse()) {
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === "object" && value !== null && "healthy" in value && "url" in value) return value as ProbeOutcome;
    } catch {
      // not the probe's line
    }
  }
  return undefined;
}

/** One sentence on a probe that failed: the status or the timeout, and how long it tried. */
export function describeFailedProbe(outcome: ProbeOutcome, withinMs: number): string {
  const tried = `${outcome.attempts} attempt${outcome.attempts === 1 ? "" : "s"} in ${seconds(outcome.ms)}`;
  const expected = outcome.kind === "health" ? "2xx" : "2xx or 3xx";
  if (outcome.status !== undefined) return `GET ${outcome.url} answered ${outcome.status}, expected ${expected} (last of ${tried}; bound ${seconds(withinMs)})`;
  return `GET ${outcome.url} got no answer within ${seconds(withinMs)} (${outcome.error ?? "no response"}; ${tried})`;
}

/** Whether an exit this long after SIGTERM is prompt enough. */
export function stoppedInTime(ms: number): boolean {
  return ms < STOP_BUDGET_MS;
}

/**
 * The log capture: fixed text. Starts the argv after its first two arguments (the image's
 * entrypoint) as the image would, keeps its output, sends SIGTERM after `forMs` (SIGKILL 3 s
 * later), and prints the last `lines` lines. Always exits 0: it reports, it does not judge.
 */
export const CAPTURE_PROGRAM = [
  "const [forMs,lines,...cmd]=process.argv.slice(1);const out=[];let ended=false;",
  "const keep=(b)=>{out.push(...String(b).split('\\n'));if(out.length>2000)out.splice(0,out.length-2000)};",
  "const finish=(why)=>{if(ended)return;ended=true;console.log(out.filter((l)=>l!=='').slice(-Number(lines)).join('\\n'));console.log('[drydock] '+why);process.exit(0)};",
  "const child=require('child_process').spawn(cmd[0],cmd.slice(1),{stdio:['ignore','pipe','pipe']});",
  "child.stdout.on('data',keep);child.stderr.on('data',keep);",
  "child.on('error',(e)=>{keep(cmd[0]+': '+e.message);finish('could not start '+cmd.join(' '))});",
  "child.on('close',(code,signal)=>finish(cmd.join(' ')+' exited ('+(signal||'code '+code)+')'));",
  "setTimeout(()=>{child.kill('SIGTERM');setTimeout(()=>{child.kill('SIGKILL');finish('killed after '+forMs+' ms')},3000)},Number(forMs));",
].join("");

/** The capture's argv: run `entrypoint` for `forMs`, print the last `lines` lines. */
export function captureArgs(entrypoint: readonly string[], forMs: number, lines = LOG_TAIL_LINES): string[] {
  return ["node", "-e", CAPTURE_PROGRAM, String(forMs), String(lines), ...entrypoint];
}

/** The last `lines` non-empty lines of a log. */
export function tailLines(text: string, lines = LOG_TAIL_LINES): string {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .slice(-lines)
    .join("\n");
}

/** A config duration (`60s`, `2m`, `1h30m`) in milliseconds. */
export function durationMs(duration: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000 };
  let total = 0;
  for (const [, amount, unit] of duration.matchAll(/(\d+)([hms])/g)) total += Number(amount) * units[unit!]!;
  return total;
}

export function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
