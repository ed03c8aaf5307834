import path from "node:path";
import { describe, expect, it } from "vitest";
import { readComposeFile, translateCompose } from "../support/docker/compose-flags.ts";
import { REPO_ROOT } from "../support/docker/engine.ts";

const COMPOSE = path.join(REPO_ROOT, "compose.security.yaml");

describe("compose.security.yaml, as the e2e tests run it", () => {
  it.each([
    {
      service: "backend",
      flags: ["--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges:true", "--user", "1000:1000", "--pids-limit", "256", "--cpus", "1.0", "--memory", "384M"],
      environmentKeys: ["DATABASE_URL", "PORT"],
    },
    {
      service: "frontend",
      flags: ["--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges:true", "--user", "1000:1000", "--pids-limit", "256", "--tmpfs", "/app/.next/cache:uid=1000,gid=1000,mode=0700,size=64m", "--cpus", "1.0", "--memory", "384M"],
      environmentKeys: ["BACKEND_URL", "PORT"],
    },
  ])("runs the $service read-only, without capabilities or privilege escalation, as uid 1000", async ({ service, flags, environmentKeys }) => {
    const spec = (await readComposeFile(COMPOSE)).services[service];
    expect(spec?.flags).toEqual(flags);
    expect(spec?.environmentKeys).toEqual(environmentKeys);
  });

  it("keeps Postgres on an internal network shared with the backend only", async () => {
    const compose = await readComposeFile(COMPOSE);
    expect(compose.networks).toEqual({ data: { internal: true }, web: { internal: false } });
    expect(compose.services.db?.networks).toEqual(["data"]);
    expect(compose.services.backend?.networks).toEqual(["data", "web"]);
    expect(compose.services.frontend?.networks).toEqual(["web"]);
  });

  it("gives Postgres its password as a file secret, never as a variable", async () => {
    const db = (await readComposeFile(COMPOSE)).services.db;
    expect(db?.secrets).toEqual(["postgres-password"]);
    expect(db?.environmentKeys).toEqual(["POSTGRES_USER", "POSTGRES_DB", "POSTGRES_PASSWORD_FILE"]);
    expect(db?.flags).toEqual(expect.arrayContaining(["--read-only", "--stop-signal", "SIGINT", "--cap-drop", "ALL"]));
  });

  it("turns the database's exec-form healthcheck into docker run's health flags", async () => {
    const db = (await readComposeFile(COMPOSE)).services.db;
    const flags = db?.flags.join(" ");
    expect(flags).toContain("--health-cmd pg_isready -h 127.0.0.1 -U app -d app --health-interval 5s --health-timeout 3s --health-retries 10 --health-start-period 10s");
  });
});

describe("translating a compose file into docker run flags", () => {
  it.each([
    { name: "a service key it does not understand", yaml: "services: { a: { privileged: true } }", error: "f.yaml: services.a.privileged: key not understood" },
    { name: "read_only that is not a boolean", yaml: "services: { a: { read_only: 'yes' } }", error: 'f.yaml: services.a.read_only: found "yes"; expected true or false' },
    { name: "cap_drop that is not a list", yaml: "services: { a: { cap_drop: ALL } }", error: 'f.yaml: services.a.cap_drop: found "ALL"; expected a list of strings' },
    { name: "a bind mount where a named volume is expected", yaml: "services: { a: { volumes: ['./data:/data'] } }", error: 'f.yaml: services.a.volumes: found "./data:/data"; expected a named volume' },
    { name: "a volume target with a comma, which would add --mount options", yaml: "services: { a: { volumes: ['data:/data,readonly=false'] } }", error: 'f.yaml: services.a.volumes: found "data:/data,readonly=false"; expected a named volume' },
    { name: "a volume name with a comma", yaml: "services: { a: { volumes: ['data,volume-opt=o=bind:/data'] } }", error: "expected a named volume" },
    { name: "a volume target with a newline", yaml: 'services: { a: { volumes: ["data:/data\\nx"] } }', error: "expected a named volume" },
    { name: "a secret name with a comma, which would add --mount options", yaml: "services: { a: { secrets: ['db,target=/etc/passwd'] } }", error: 'f.yaml: services.a.secrets: found "db,target=/etc/passwd"; expected a secret name' },
    { name: "a resource limit it does not understand", yaml: "services: { a: { deploy: { resources: { limits: { gpus: 1 } } } } }", error: "f.yaml: services.a.deploy.resources.limits.gpus: not understood" },
    { name: "an empty user", yaml: "services: { a: { user: '' } }", error: 'f.yaml: services.a.user: found ""; expected a string or a number' },
    { name: "a healthcheck test in neither exec nor shell form", yaml: "services: { a: { healthcheck: { test: [pg_isready] } } }", error: 'f.yaml: services.a.healthcheck.test: found ["pg_isready"]; expected ["CMD", program, ...args]' },
    { name: "a healthcheck key it does not understand", yaml: "services: { a: { healthcheck: { disable: true } } }", error: "f.yaml: services.a.healthcheck.disable: not understood" },
    { name: "no services mapping", yaml: "services: [a, b]", error: 'f.yaml: services: found ["a","b"]; expected a mapping' },
  ])("rejects $name, naming the file and the key", ({ yaml, error }) => {
    expect(() => translateCompose(yaml, "f.yaml")).toThrow(error);
  });

  it("quotes exec-form healthcheck words that a shell would split", () => {
    const spec = translateCompose(`services: { a: { healthcheck: { test: [CMD, node, -e, "process.exit(0)"] } } }`, "f.yaml").services.a;
    expect(spec?.flags).toEqual(["--health-cmd", "node -e 'process.exit(0)'"]);
  });

  it("applies YAML merge keys, as docker compose does", () => {
    const spec = translateCompose("x: &h { read_only: true }\nservices: { a: { <<: *h, user: '1:1' } }", "f.yaml").services.a;
    expect(spec?.flags).toEqual(["--read-only", "--user", "1:1"]);
  });
});
