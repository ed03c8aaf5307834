/**
 * The RFC 3161 timestamp authority. Rekor v2 gives no signed entry time (only an inclusion proof),
 * so a keyless signature's proof that it was made while Fulcio's 10-minute certificate was valid is
 * a timestamp: cosign asks this server for one over the signature and the verifier checks it
 * against the trusted root's `timestampAuthorities`.
 *
 * The in-memory signer makes a root, an intermediate and a leaf at start (valid from 5 minutes
 * before), read back from /api/v1/timestamp/certchain. NTP monitoring is off: it would query public
 * time servers.
 *
 * timestamp-server serves its Prometheus metrics on :2112 of every interface, a port no flag
 * changes, and exits if it is taken. So one local Sigstore runs per machine at a time, and nothing
 * else may hold port 2112; startTsa says so up front rather than letting the server die later.
 */
import { createServer } from "node:net";
import type { X509Certificate } from "node:crypto";
import { TIMESTAMP_SERVER } from "../tools/catalog.ts";
import { ensureGoTool, type Log } from "../tools/go-tools.ts";
import { parsePemChain } from "./keys.ts";
import { freePort } from "../free-port.ts";
import { answers, startService, type Service } from "../service.ts";

export interface Tsa extends Service {
  /** The timestamping endpoint: the signing config's TSA URL. */
  url: string;
  /** Leaf first, root last. */
  chain: X509Certificate[];
}

const METRICS_PORT = 2112;

export async function startTsa(dir: string, host: string, log: Log): Promise<Tsa> {
  const binary = await ensureGoTool(TIMESTAMP_SERVER, log);
  await assertPortFree(METRICS_PORT);
  const port = await freePort();
  const base = `http://${host}:${port}`;
  const service = await startService(
    {
      name: "timestamp-authority",
      binary,
      args: [
        "serve",
        "--host", host, "--port", String(port),
        "--timestamp-signer", "memory",
        "--disable-ntp-monitoring",
        // Otherwise it waits up to 620 s for idle connections when stopped.
        "--cleanup-timeout", "2s",
      ],
      cwd: dir,
      readyWhen: `GET ${base}/api/v1/timestamp/certchain answering 200`,
      isReady: answers(`${base}/api/v1/timestamp/certchain`),
    },
    log,
  );
  try {
    const chain = parsePemChain(await (await fetch(`${base}/api/v1/timestamp/certchain`)).text());
    return { ...service, url: `${base}/api/v1/timestamp`, chain };
  } catch (error) {
    await service.stop();
    throw new Error(`timestamp-authority at ${base} served no usable certificate chain: ${(error as Error).message}`);
  }
}

/** Fail with the reason now if `port` is taken on any interface. */
async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          `timestamp-authority needs port ${port} free (it serves its metrics there, on every interface, and no flag moves them): ` +
            `${error.code ?? error.message}. Is another local Sigstore (or a Prometheus exporter) running?`,
        ),
      ),
    );
    server.listen(port, () => server.close(() => resolve()));
  });
}
