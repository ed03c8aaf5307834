/**
 * The transparency log: Rekor v2 (rekor-tiles) on its POSIX backend, a tile log in a folder. cosign
 * uploads each signature's entry and puts the inclusion proof and signed checkpoint in the bundle;
 * verification checks them offline against the trusted root's `tlogs` key.
 *
 * Two names must line up: sigstore-go verifies a Rekor v2 checkpoint with the HOSTNAME of the
 * trusted root's `baseUrl` as the checkpoint origin, so the server's --hostname is the address it listens on. The
 * key is ECDSA P-256, whose Rekor log ID is the SHA-256 of its PKIX DER (an Ed25519 key's would mix
 * in the origin). The version is the one cosign v3.1.3 links, which still has the POSIX backend.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { REKOR_TILES } from "../tools/catalog.ts";
import { ensureGoTool, type Log } from "../tools/go-tools.ts";
import type { LogKey } from "./keys.ts";
import { freePort } from "../free-port.ts";
import { answers, startService, type Service } from "../service.ts";

export interface Rekor extends Service {
  /** The log's base URL (the client appends /api/v2/log/entries). */
  url: string;
}

export async function startRekor(dir: string, host: string, key: LogKey, log: Log): Promise<Rekor> {
  const binary = await ensureGoTool(REKOR_TILES, log);
  const storage = path.join(dir, "rekor");
  await mkdir(storage, { recursive: true });
  const keyPath = path.join(dir, "rekor.key.pem");
  await writeFile(keyPath, key.pkcs8Pem, { mode: 0o600 });
  const [httpPort, grpcPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const url = `http://${host}:${httpPort}`;
  const service = await startService(
    {
      name: "rekor (rekor-tiles)",
      binary,
      args: [
        "serve",
        "--hostname", host,
        "--http-address", host, "--http-port", String(httpPort),
        "--grpc-address", host, "--grpc-port", String(grpcPort),
        "--http-metrics-port", String(metricsPort),
        "--storage-dir", storage,
        "--signer-filepath", keyPath,
        // An upload is answered once its entry is in a checkpoint; publish them often.
        "--checkpoint-interval", "500ms",
        "--log-level", "warn",
      ],
      cwd: dir,
      readyWhen: `GET ${url}/healthz answering SERVING`,
      isReady: answers(`${url}/healthz`, 200, (body) => body.includes("SERVING")),
    },
    log,
  );
  return { ...service, url };
}
