import { defineConfig } from "prisma/config";

// DATABASE_URL is read with process.env rather than Prisma's env(), which throws when the
// variable is unset: `prisma generate` needs no database, so image builds run it without one.
// Commands that do need it (migrate, db) report the missing URL themselves.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL },
});
