import { ValidationPipe } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import { AppModule } from "./app.module.js";
import { readConfig } from "./config.js";

// Read before Nest starts, so a misconfigured container exits at once with the reason.
const config = readConfig(process.env);

const app = await NestFactory.create(AppModule.forRoot(config.databaseUrl));
app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }));
// SIGTERM runs the modules' destroy hooks (closing the database pool) and then exits.
app.enableShutdownHooks();
await app.listen(config.port, "0.0.0.0");
