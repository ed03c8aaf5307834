import { type DynamicModule, Module } from "@nestjs/common";
import { APP_FILTER } from "@nestjs/core";
import { HealthController } from "./health/health.controller.ts";
import { NotesModule } from "./notes/notes.module.ts";
import { DatabaseUnavailableFilter } from "./prisma/database-unavailable.filter.ts";
import { PrismaModule } from "./prisma/prisma.module.ts";

@Module({})
export class AppModule {
  static forRoot(databaseUrl: string): DynamicModule {
    return {
      module: AppModule,
      imports: [PrismaModule.forRoot(databaseUrl), NotesModule],
      controllers: [HealthController],
      providers: [{ provide: APP_FILTER, useClass: DatabaseUnavailableFilter }],
    };
  }
}
