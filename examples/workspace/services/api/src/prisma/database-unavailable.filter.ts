import { type ArgumentsHost, Catch, HttpStatus, Logger } from "@nestjs/common";
import { BaseExceptionFilter } from "@nestjs/core";
import type { Response } from "express";
import { Prisma } from "../generated/prisma/client.js";

/**
 * Prisma error codes that mean "the database cannot be reached right now": can't reach the
 * server, connection timed out, server closed the connection, pool timed out.
 */
const UNREACHABLE = new Set(["P1001", "P1002", "P1017", "P2024"]);

/**
 * Answers 503 instead of 500 when a request fails because PostgreSQL is down, so clients and
 * load balancers see a temporary outage. Every other error keeps Nest's default handling.
 */
@Catch(Prisma.PrismaClientKnownRequestError, Prisma.PrismaClientInitializationError)
export class DatabaseUnavailableFilter extends BaseExceptionFilter {
  private readonly logger = new Logger(DatabaseUnavailableFilter.name);

  override catch(error: Prisma.PrismaClientKnownRequestError | Prisma.PrismaClientInitializationError, host: ArgumentsHost): void {
    const code = error instanceof Prisma.PrismaClientKnownRequestError ? error.code : error.errorCode;
    if (code === undefined || !UNREACHABLE.has(code) || host.getType() !== "http") {
      super.catch(error, host);
      return;
    }
    this.logger.warn(`database unreachable (${code})`);
    host
      .switchToHttp()
      .getResponse<Response>()
      .status(HttpStatus.SERVICE_UNAVAILABLE)
      .json({ statusCode: HttpStatus.SERVICE_UNAVAILABLE, message: "database unreachable, retry later" });
  }
}
