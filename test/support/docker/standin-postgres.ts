/**
 * Stand-in for the official postgres image: Debian's postgresql with a small entrypoint honouring
 * POSTGRES_USER, POSTGRES_DB and POSTGRES_PASSWORD_FILE like the official one.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { APT_SOURCES, DROP_HOST_FILES, SUITE, dockerImport, mmdebstrap } from "./standin-common.ts";
import { shellQuote } from "./shell-quote.ts";

export const PACKAGES = ["postgresql-15"];

const ENTRYPOINT = `#!/bin/sh
# Initialise a cluster on first start from POSTGRES_USER, POSTGRES_DB and POSTGRES_PASSWORD_FILE or
# POSTGRES_PASSWORD (as the official postgres image does), then run postgres in the foreground as PID 1.
set -eu
user=\${POSTGRES_USER:-postgres}
db=\${POSTGRES_DB:-$user}
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile=\${POSTGRES_PASSWORD_FILE:-}
  if [ -z "$pwfile" ] && [ -n "\${POSTGRES_PASSWORD:-}" ]; then
    pwfile=$(mktemp) && printf '%s\\n' "$POSTGRES_PASSWORD" >"$pwfile"
  fi
  [ -r "$pwfile" ] || { echo "postgres: set POSTGRES_PASSWORD_FILE to a readable file, or POSTGRES_PASSWORD" >&2; exit 1; }
  initdb --username="$user" --pwfile="$pwfile" --encoding=UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 -D "$PGDATA" >/dev/null
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  if [ "$db" != postgres ]; then
    echo "CREATE DATABASE \\"$db\\" OWNER \\"$user\\";" | postgres --single -D "$PGDATA" postgres >/dev/null
  fi
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories=/tmp
`;

export async function build(tag: string, workDir: string): Promise<void> {
  const entrypoint = path.join(workDir, "docker-entrypoint.sh");
  await writeFile(entrypoint, ENTRYPOINT, { mode: 0o755 });
  const tarball = path.join(workDir, "rootfs.tar");
  await mmdebstrap(workDir, [
    "--variant=minbase",
    `--include=${PACKAGES.join(",")}`,
    "--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr",
    // The entrypoint creates the cluster at first start; a packaged "main" cluster would be dead weight.
    '--setup-hook=mkdir -p "$1/etc/postgresql-common/createcluster.d" && echo "create_main_cluster = false" >"$1/etc/postgresql-common/createcluster.d/drydock.conf"',
    `--customize-hook=install -m 0755 ${shellQuote(entrypoint)} "$1/usr/local/bin/docker-entrypoint.sh"`,
    // A fresh named volume copies this directory's owner: postgres can then initialise it.
    '--customize-hook=chroot "$1" install -d -o postgres -g postgres -m 0700 /var/lib/postgresql/data',
    DROP_HOST_FILES,
    SUITE,
    tarball,
    ...APT_SOURCES,
  ]);
  await dockerImport(tarball, tag, [
    "ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "ENV PGDATA=/var/lib/postgresql/data",
    "ENV PGHOST=/tmp",
    "USER postgres",
    "EXPOSE 5432",
    'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]',
  ]);
}

