import assert from "node:assert/strict";
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, it } from "node:test";
import { fetchNotes } from "./backend.ts";

const NOTE = { id: 1, title: "First", body: null, createdAt: "2026-11-27T00:00:00.000Z" };

/** A backend stand-in on a free loopback port; answers with `handler`. */
async function serve(handler: RequestListener): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  after(() => server.close());
  return { url: `http://127.0.0.1:${port}`, server };
}

// The unhappy paths log their details; keep the test output to the results.
console.error = () => {};

describe("fetchNotes", () => {
  it("returns the notes the backend lists at /notes", async () => {
    let path = "";
    const { url } = await serve((req, res) => {
      path = req.url ?? "";
      res.setHeader("content-type", "application/json").end(JSON.stringify([NOTE]));
    });
    assert.deepEqual(await fetchNotes({ BACKEND_URL: url }), { ok: true, notes: [NOTE] });
    assert.equal(path, "/notes");
  });

  it("keeps a path prefix of BACKEND_URL", async () => {
    let path = "";
    const { url } = await serve((req, res) => {
      path = req.url ?? "";
      res.end("[]");
    });
    await fetchNotes({ BACKEND_URL: `${url}/api` });
    assert.equal(path, "/api/notes");
  });

  const misconfigured = [
    { name: "BACKEND_URL is unset", env: {} },
    { name: "BACKEND_URL is blank", env: { BACKEND_URL: " " } },
    { name: "BACKEND_URL has no scheme", env: { BACKEND_URL: "backend:3000" } },
    { name: "BACKEND_URL is not http", env: { BACKEND_URL: "ftp://backend" } },
  ];
  for (const { name, env } of misconfigured) {
    it(`says the frontend is misconfigured when ${name}`, async () => {
      assert.deepEqual(await fetchNotes(env), {
        ok: false,
        problem: "The frontend is misconfigured and cannot reach the backend; its log names the setting to fix.",
      });
    });
  }

  it("says the backend is unreachable when nothing listens, without naming its address", async () => {
    const { url, server } = await serve(() => {});
    await new Promise((resolve) => server.close(resolve));
    const result = await fetchNotes({ BACKEND_URL: url });
    assert.deepEqual(result, { ok: false, problem: "The backend is unreachable (ECONNREFUSED). Try again in a moment." });
  });

  it("says the backend is unreachable when it does not answer in time", async () => {
    const { url } = await serve(() => {});
    const result = await fetchNotes({ BACKEND_URL: url });
    assert.deepEqual(result, { ok: false, problem: "The backend is unreachable (no answer within 3 s). Try again in a moment." });
  });

  it("passes on the status of a failed answer", async () => {
    const { url } = await serve((_req, res) => res.writeHead(503, "Service Unavailable").end());
    assert.deepEqual(await fetchNotes({ BACKEND_URL: url }), {
      ok: false,
      problem: "The backend answered 503 Service Unavailable. Try again in a moment.",
    });
  });

  it("rejects an answer that is not a list", async () => {
    const { url } = await serve((_req, res) => res.end('{"status":"ok"}'));
    assert.deepEqual(await fetchNotes({ BACKEND_URL: url }), {
      ok: false,
      problem: "The backend answered something other than a list of notes.",
    });
  });
});
