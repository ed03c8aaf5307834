/** What the backend reads from its environment, checked once at startup. */
export interface BackendConfig {
  /** PostgreSQL connection string. Holds a password: never log it. */
  databaseUrl: string;
  port: number;
}

const DEFAULT_PORT = 3000;
const POSTGRES_SCHEMES = new Set(["postgresql:", "postgres:"]);

/**
 * Reads DATABASE_URL (required) and PORT (default 3000) from `env`.
 * Throws an error naming the variable, what was found and what was expected; the URL itself
 * is never echoed because it carries the database password.
 */
export function readConfig(env: Record<string, string | undefined>): BackendConfig {
  return { databaseUrl: readDatabaseUrl(env.DATABASE_URL), port: readPort(env.PORT) };
}

function readDatabaseUrl(raw: string | undefined): string {
  if (raw === undefined || raw.trim() === "") {
    throw new Error("DATABASE_URL is not set: expected a PostgreSQL URL like postgresql://user:password@host:5432/db");
  }
  let scheme: string;
  try {
    scheme = new URL(raw).protocol;
  } catch {
    throw new Error("DATABASE_URL is not a valid URL: expected postgresql://user:password@host:5432/db");
  }
  if (!POSTGRES_SCHEMES.has(scheme)) {
    throw new Error(`DATABASE_URL uses the scheme '${scheme}': expected postgresql: or postgres:`);
  }
  return raw;
}

function readPort(raw: string | undefined): number {
  if (raw === undefined || raw === "") return DEFAULT_PORT;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65535) {
    throw new Error(`PORT is '${raw}': expected an integer from 1 to 65535`);
  }
  return port;
}
