import { type DynamicModule, Module } from "@nestjs/common";
import { APP_FILTER } from "@nestjs/core";
import { HealthController } from "./health/health.controller.js";
import { NotesModule } from "./notes/notes.module.js";
import { DatabaseUnavailableFilter } from "./prisma/database-unavailable.filter.js";
import { PrismaModule } from "./prisma/prisma.module.js";

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
