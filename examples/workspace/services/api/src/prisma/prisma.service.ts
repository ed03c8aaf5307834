import { Logger, type OnModuleDestroy } from "@nestjs/common";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client.js";

/**
 * The Prisma client of the app, talking to PostgreSQL through the pg driver adapter.
 *
 * It connects lazily, on the first query, so the app starts and answers /health with 503
 * while the database is down, and the pool reconnects by itself once it is back.
 */
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  private static readonly logger = new Logger(PrismaService.name);

  constructor(databaseUrl: string) {
    super({
      adapter: new PrismaPg(
        // Bounded, so a health check against an unreachable host fails in seconds, not minutes.
        { connectionString: databaseUrl, connectionTimeoutMillis: 2_000 },
        // An idle pooled connection that the server drops must not crash the process.
        { onPoolError: (error) => PrismaService.logger.warn(`idle database connection lost: ${error.message}`) },
      ),
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}
