import { MENTION_BREAK } from "../../../dagger/src/report/markdown-text.ts";
import { describe, expect, it } from "vitest";
import { appSmoke, backendUrlLine, smokeMarkdown, smokeOff, smokeVerdict } from "../../../dagger/src/smoke/summary.ts";

const started = { what: "start node dist/main.js", passed: true, detail: "listening on port 3000 after 1.2 s" };

describe("the Smoke section", () => {
  it("adds nothing when every app started", () => {
    const verdict = smokeVerdict([appSmoke("backend", [started]), appSmoke("frontend", [started])]);
    expect(verdict.passed).toBe(true);
    expect(smokeMarkdown(verdict)).toBe("");
  });

  it("names the failed app, what was probed, the status and the log, in a fence the log cannot close", () => {
    const failed = appSmoke("backend", [started, { what: "GET http://backend:3000/health", passed: false, detail: "GET http://backend:3000/health answered 503, expected 2xx" }], {
      log: "```\nERROR database check failed",
    });
    const verdict = smokeVerdict([failed, appSmoke("frontend", [started])]);
    expect(verdict.passed).toBe(false);
    const markdown = smokeMarkdown(verdict);
    expect(markdown).toContain("## ❌ Smoke test failed: backend\n");
    // The detail is prose: a bare URL in it is defanged, so GitHub makes no link of it.
    expect(markdown).toContain(`- ❌ \`GET http://backend:3000/health\`: GET http${MENTION_BREAK}://backend:3000/health answered 503, expected 2xx`);
    expect(markdown).toContain("Last lines of backend's log:\n\n````text\n```\nERROR database check failed\n````");
    expect(markdown).toContain("### ✅ frontend: started");
  });

  it("says the smoke test is off, and why, without failing", () => {
    const verdict = smokeVerdict([smokeOff("backend", "`smoke.enabled` is false in security-config.yml"), smokeOff("frontend", "`smoke.enabled` is false in security-config.yml")]);
    expect(verdict.passed).toBe(true);
    expect(smokeMarkdown(verdict)).toContain("## ⚠️ Smoke test off: backend, frontend");
    expect(smokeMarkdown(verdict)).toContain("`smoke.enabled` is false in security-config.yml");
  });

  it("names the variables the frontend got the backend's URL in, under the frontend", () => {
    const backendUrl = { url: "http://backend:3000", variables: ["API_URL", "SERVER_URL", "BACKEND_URL"] };
    const page = { what: "GET http://frontend:3000/", passed: false, detail: "answered 500, expected 2xx or 3xx" };
    const markdown = smokeMarkdown(smokeVerdict([appSmoke("backend", [started]), appSmoke("frontend", [started, page], { backendUrl })]));
    const frontend = markdown.slice(markdown.indexOf("### ❌ frontend"));
    expect(frontend).toContain("The frontend got the backend's URL, `http://backend:3000`, in `API_URL`, `SERVER_URL` and `BACKEND_URL`.\n");
  });

  it("keeps the backend's URL on the frontend's result, passed or failed", () => {
    const backendUrl = { url: "http://backend:3000", variables: ["BACKEND_URL"] };
    expect(appSmoke("frontend", [started], { backendUrl }).backendUrl).toEqual(backendUrl);
    expect(backendUrlLine(backendUrl)).toBe("The frontend got the backend's URL, `http://backend:3000`, in `BACKEND_URL`.");
    expect(appSmoke("frontend", [started])).not.toHaveProperty("backendUrl");
  });
});
