/**
 * The smoke stage's pure rules, and its two fixed programs run for real with this machine's node
 * against a local HTTP server: what the Dagger plan records is what runs in the probe container.
 */
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  acceptsStatus,
  captureArgs,
  describeFailedProbe,
  durationMs,
  parseProbeOutput,
  probeArgs,
  stoppedInTime,
  tailLines,
} from "../../../dagger/src/smoke/rules.ts";
import { within } from "../../../dagger/src/smoke/within.ts";

const run = promisify(execFile);

/** Runs an argv whose first word is "node" with this process's node; exit code and output, never a throw. */
async function node(argv: string[]): Promise<{ code: number; stdout: string }> {
  const [, ...rest] = argv;
  try {
    const { stdout } = await run(process.execPath, rest, { timeout: 20_000 });
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code?: number; stdout?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "" };
  }
}

describe("what a probe accepts", () => {
  it.each([
    { kind: "health", status: 200, ok: true },
    { kind: "health", status: 204, ok: true },
    { kind: "health", status: 302, ok: false },
    { kind: "health", status: 503, ok: false },
    { kind: "page", status: 200, ok: true },
    { kind: "page", status: 307, ok: true },
    { kind: "page", status: 404, ok: false },
    { kind: "page", status: 500, ok: false },
  ] as const)("$kind answered $status: $ok", ({ kind, status, ok }) => {
    expect(acceptsStatus(kind, status)).toBe(ok);
  });

  it("requires an exit within 10 s of SIGTERM, before docker stop would kill it", () => {
    expect([stoppedInTime(120), stoppedInTime(9_999), stoppedInTime(10_000)]).toEqual([true, true, false]);
  });
});

describe("the probe program, run for real", () => {
  let server: Server;
  let base: string;
  let healthy = false;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === "/health") res.writeHead(healthy ? 200 : 503).end();
      else if (req.url === "/") res.writeHead(307, { location: "/en" }).end();
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("exits 0 with the status once the health path answers 2xx", async () => {
    healthy = false;
    setTimeout(() => (healthy = true), 700);
    const { code, stdout } = await node(probeArgs("health", `${base}/health`, 10_000));
    expect(code).toBe(0);
    expect(parseProbeOutput(stdout)).toMatchObject({ kind: "health", healthy: true, status: 200 });
    expect(parseProbeOutput(stdout)!.attempts).toBeGreaterThan(1);
  });

  it("exits 1 with the last status when the bound passes", async () => {
    healthy = false;
    const { code, stdout } = await node(probeArgs("health", `${base}/health`, 1_200));
    expect(code).toBe(1);
    const outcome = parseProbeOutput(stdout)!;
    expect(outcome).toMatchObject({ healthy: false, status: 503 });
    expect(outcome.ms).toBeLessThan(3_000);
    expect(describeFailedProbe(outcome, 1_200)).toMatch(new RegExp(`^GET ${base}/health answered 503, expected 2xx \\(last of \\d+ attempts in [\\d.]+ s; bound 1.2 s\\)$`));
  });

  it("accepts a redirecting page", async () => {
    const { code } = await node(probeArgs("page", `${base}/`, 2_000));
    expect(code).toBe(0);
  });

  it("says why nothing answered", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { code, stdout } = await node(probeArgs("health", `http://127.0.0.1:${port}/health`, 800));
    expect(code).toBe(1);
    const outcome = parseProbeOutput(stdout)!;
    expect(outcome.error).toBe("ECONNREFUSED");
    expect(describeFailedProbe(outcome, 800)).toContain("got no answer within 0.8 s (ECONNREFUSED;");
  });

  it("takes the URL as an argument: a hostile one is a string, never code", async () => {
    const { code, stdout } = await node(probeArgs("health", "http://127.0.0.1:1/');process.exit(0);('", 300));
    expect(code).toBe(1);
    expect(parseProbeOutput(stdout)?.healthy).toBe(false);
  });
});

describe("the log capture program, run for real", () => {
  it("keeps the last lines of a process that exits, and names it", async () => {
    const entrypoint = ["node", "-e", "for (let i = 1; i <= 50; i++) console.log('line ' + i); console.error('Error: Cannot find module'); process.exit(1)"];
    const { code, stdout } = await node(captureArgs([process.execPath, ...entrypoint.slice(1)], 5_000, 3));
    expect(code).toBe(0);
    expect(stdout.split("\n").slice(0, 3)).toEqual(["line 49", "line 50", "Error: Cannot find module"].sort((a, b) => stdout.indexOf(a) - stdout.indexOf(b)));
    expect(stdout).toContain("exited (code 1)");
  });

  it("stops a process that keeps running, with SIGTERM", async () => {
    const entrypoint = [process.execPath, "-e", "console.log('listening'); process.on('SIGTERM', () => { console.log('bye'); process.exit(0); }); setInterval(() => {}, 1000)"];
    const { stdout } = await node(captureArgs(entrypoint, 500));
    expect(stdout).toContain("listening\nbye");
    expect(stdout).toContain("exited (code 0)");
  });

  it("says so when the entrypoint cannot be started", async () => {
    const { code, stdout } = await node(captureArgs(["/nonexistent/entrypoint", "x"], 500));
    expect(code).toBe(0);
    expect(stdout).toContain("could not start /nonexistent/entrypoint x");
  });
});

describe("helpers", () => {
  it.each([
    { duration: "60s", ms: 60_000 },
    { duration: "2m", ms: 120_000 },
    { duration: "1h30m", ms: 5_400_000 },
  ])("reads $duration as $ms ms", ({ duration, ms }) => {
    expect(durationMs(duration)).toBe(ms);
  });

  it("keeps the last non-empty lines of a log", () => {
    expect(tailLines("a\n\nb\nc\n\n", 2)).toBe("b\nc");
  });

  it("bounds a wait that never ends", async () => {
    const never = new Promise<never>(() => undefined);
    expect(await within(20, never)).toMatchObject({ kind: "timeout" });
    expect(await within(1_000, Promise.resolve(7))).toMatchObject({ kind: "done", value: 7 });
    expect(await within(1_000, Promise.reject(new Error("boom")))).toMatchObject({ kind: "failed" });
  });
});
