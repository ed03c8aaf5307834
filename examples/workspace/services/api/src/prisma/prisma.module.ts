import { type DynamicModule, Global, Module } from "@nestjs/common";
import { PrismaService } from "./prisma.service.js";

/** Provides the one PrismaService to every module. */
@Global()
@Module({})
export class PrismaModule {
  static forRoot(databaseUrl: string): DynamicModule {
    return {
      module: PrismaModule,
      providers: [{ provide: PrismaService, useFactory: () => new PrismaService(databaseUrl) }],
      exports: [PrismaService],
    };
  }
}
