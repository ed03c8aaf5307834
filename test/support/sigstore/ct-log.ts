/**
 * The certificate transparency log Fulcio submits its precertificates to: TesseraCT (a static-ct-api
 * log whose write path is RFC 6962's add-chain/add-pre-chain) on its POSIX backend, storing the log
 * in a folder. Fulcio embeds the SCT it returns, so cosign verifies the certificate's SCT against
 * the trusted root's `ctlogs` — no --insecure-ignore-sct.
 *
 * It accepts only chains to Fulcio's root (read from Fulcio once it runs, hence it starts after
 * Fulcio; Fulcio does not contact it until the first certificate) and only code-signing certificates,
 * like the public instance's log. The publication awaiter makes add-pre-chain answer once the entry
 * is in a published checkpoint, so the checkpoint interval is short.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { TESSERACT } from "../tools/catalog.ts";
import { ensureGoTool, type Log } from "../tools/go-tools.ts";
import type { LogKey } from "./keys.ts";
import { answers, startService, type Service } from "../service.ts";

export interface CtLogOptions {
  dir: string;
  /** The address it listens on; also its checkpoint origin. */
  host: string;
  port: number;
  key: LogKey;
  /** PEM roots whose chains the log accepts: Fulcio's root. */
  rootsPem: string;
}

export interface CtLog extends Service {
  /** The submission URL Fulcio takes as --ct-log-url (it appends /ct/v1/add-pre-chain). */
  url: string;
}

/** The URL a CT log on `host`:`port` will have; Fulcio needs it before the log can start. */
export const ctLogUrl = (host: string, port: number) => `http://${host}:${port}`;

export async function startCtLog(options: CtLogOptions, log: Log): Promise<CtLog> {
  const binary = await ensureGoTool(TESSERACT, log);
  const storage = path.join(options.dir, "ct-log");
  await mkdir(storage, { recursive: true });
  const keyPath = path.join(options.dir, "ct-log.key.pem");
  const rootsPath = path.join(options.dir, "ct-log-roots.pem");
  await writeFile(keyPath, options.key.sec1Pem, { mode: 0o600 });
  await writeFile(rootsPath, options.rootsPem);
  const endpoint = `${options.host}:${options.port}`;
  const url = ctLogUrl(options.host, options.port);
  const service = await startService(
    {
      name: "ct-log (tesseract)",
      binary,
      args: [
        "--http_endpoint", endpoint,
        // The checkpoint origin: the submission prefix without its scheme — and without the port,
        // as TesseraCT refuses a colon in it and compares it with the request's host sans port.
        "--origin", options.host,
        "--storage_dir", storage,
        "--private_key", keyPath,
        "--roots_pem_file", rootsPath,
        "--ext_key_usages", "CodeSigning",
        "--checkpoint_interval", "500ms",
      ],
      // TesseraCT always builds an OTLP metrics exporter; with nothing to export to, keep it from trying during a run.
      env: { OTEL_METRIC_EXPORT_INTERVAL: String(24 * 3600_000) },
      cwd: options.dir,
      readyWhen: `GET ${url}/ct/v1/get-roots answering 200`,
      isReady: answers(`${url}/ct/v1/get-roots`),
    },
    log,
  );
  return { ...service, url };
}
