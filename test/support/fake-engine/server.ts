/**
 * The HTTP side of the Dagger session protocol: `POST /query` with basic auth `token:` and a
 * JSON body `{"query": "…"}`, on 127.0.0.1 only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface HttpAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface Listening {
  readonly port: number;
  close(): Promise<void>;
}

export async function listen(token: string, handle: (body: unknown) => HttpAnswer | Promise<HttpAnswer>): Promise<Listening> {
  const expected = `Basic ${Buffer.from(`${token}:`).toString("base64")}`;
  const server = createServer((req, res) => {
    void serve(req, res, expected, handle);
  });
  // The SDK keeps connections alive between queries. Node closes idle ones after 5 s, which races
  // with a client reusing one after a slow test step (ECONNRESET); stop() closes them all anyway.
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

async function serve(req: IncomingMessage, res: ServerResponse, expectedAuth: string, handle: (body: unknown) => HttpAnswer | Promise<HttpAnswer>) {
  const reply = (answer: HttpAnswer) => {
    res.writeHead(answer.status, { "content-type": "application/json" });
    res.end(JSON.stringify(answer.body));
  };
  try {
    if (req.method !== "POST" || req.url?.split("?")[0] !== "/query") {
      return reply({ status: 404, body: { message: `the fake engine only serves POST /query, not ${req.method} ${req.url}` } });
    }
    if (req.headers.authorization !== expectedAuth) {
      return reply({ status: 401, body: { message: "unauthorized: wrong or missing session token" } });
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return reply({ status: 400, body: { errors: [{ message: "request body is not JSON" }] } });
    }
    reply(await handle(body));
  } catch (error) {
    reply({ status: 500, body: { errors: [{ message: `fake engine crashed: ${String(error)}` }] } });
  }
}
