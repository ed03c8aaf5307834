import { Controller, Get, Logger, ServiceUnavailableException } from "@nestjs/common";
import { healthBody } from "@drydock-workspace/shared";
import { PrismaService } from "../prisma/prisma.service.js";

/** Liveness and readiness in one: the app is healthy when its database answers. */
@Controller("healthz")
export class HealthController {
  private readonly logger = new Logger(HealthController.name);

  constructor(private readonly prisma: PrismaService) {}

  /** 200 `{status:"ok",service:"api"}` when PostgreSQL answers `SELECT 1`, 503 otherwise. */
  @Get()
  async check(): Promise<{ status: "ok"; service: string }> {
    try {
      await this.prisma.$queryRaw`SELECT 1`;
    } catch (error) {
      // Prisma's messages span several lines; one line per failed probe keeps the log readable.
      const reason = error instanceof Error ? error.message.replace(/\s+/g, " ").trim() : String(error);
      this.logger.warn(`database check failed: ${reason}`);
      throw new ServiceUnavailableException({ status: "unavailable", reason: "database unreachable" });
    }
    return healthBody("api");
  }
}
