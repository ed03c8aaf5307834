/** Reading Prisma's config without running it: the schema literal, paths inside the app, and generate's inputs. */
import { describe, expect, it } from "vitest";
import { appRelative, PRISMA_CONFIG_FILES, prismaInputs, schemaLiteral, TSCONFIG_FILES } from "../../../dagger/src/images/prisma.ts";

describe("schemaLiteral", () => {
  it.each([
    { name: "double quotes", text: 'export default defineConfig({\n  schema: "prisma/schema.prisma",\n});', schema: "prisma/schema.prisma" },
    { name: "single quotes", text: "export default { schema: './db/schema' }", schema: "./db/schema" },
    { name: "a backtick string without substitution", text: "module.exports = { schema: `db/main.prisma` }", schema: "db/main.prisma" },
    { name: "a quoted key", text: '{ "schema": "db/main.prisma" }', schema: "db/main.prisma" },
    { name: "the first of two", text: 'schema: "a.prisma",\nschema: "b.prisma"', schema: "a.prisma" },
    { name: "a computed path", text: 'export default { schema: path.join("prisma", "schema.prisma") }', schema: undefined },
    { name: "a variable", text: "export default { schema: process.env.SCHEMA }", schema: undefined },
    { name: "a substitution", text: "export default { schema: `${root}/schema.prisma` }", schema: undefined },
    { name: "no schema key", text: 'export default { migrations: { path: "prisma/migrations" } }', schema: undefined },
    { name: "a longer key ending in schema", text: 'export default { prismaschema: "x.prisma" }', schema: undefined },
  ])("$name", ({ text, schema }) => {
    expect(schemaLiteral(text)).toBe(schema);
  });
});

describe("appRelative", () => {
  it.each([
    ["prisma/schema.prisma", "prisma/schema.prisma"],
    ["./db//schema/", "db/schema"],
    ["schema.prisma", "schema.prisma"],
    ["../shared/schema.prisma", undefined],
    ["db/../../x.prisma", undefined],
    ["/etc/schema.prisma", undefined],
    ["C:\\schema.prisma", undefined],
    [".", undefined],
  ])("%j → %j", (path, relative) => {
    expect(appRelative(path)).toBe(relative);
  });
});

describe("prismaInputs", () => {
  it.each([
    { schema: "prisma/schema.prisma", isFolder: false, inputs: [...PRISMA_CONFIG_FILES, "prisma/**", "**/tsconfig*.json"] },
    { schema: "db/schema", isFolder: true, inputs: [...PRISMA_CONFIG_FILES, "db/schema/**", "**/tsconfig*.json"] },
    { schema: "schema.prisma", isFolder: false, inputs: [...PRISMA_CONFIG_FILES, "schema.prisma", TSCONFIG_FILES] },
  ])("$schema (folder: $isFolder)", ({ schema, isFolder, inputs }) => {
    expect(prismaInputs(schema, isFolder)).toEqual(inputs);
  });
});
