/** Free TCP ports for the services the e2e starts (registries, a local Sigstore). */
import { createServer } from "node:net";

/** Ports handed out by this process, so two services started back to back never get the same one. */
const handedOut = new Set<number>();

/**
 * A port nobody listens on right now, and not handed out before by this process (a service's port
 * is chosen before it binds it). Another process could still take it first; that service's
 * readiness check then fails, naming it.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const address = server.address();
        server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}
