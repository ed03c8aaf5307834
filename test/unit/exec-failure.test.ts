import { ExecError, GraphQLRequestError } from "@dagger.io/dagger";
import { describe, expect, it } from "vitest";
import { execFailure } from "../../dagger/src/exec-failure.js";

const execError = () =>
  new ExecError("exit code: 3", { cmd: ["trivy", "image"], exitCode: 3, stdout: "out", stderr: "err" });

describe("execFailure", () => {
  it("reads the SDK's own exec error by its name and code, not its class", () => {
    expect(execFailure(execError())).toEqual({ cmd: ["trivy", "image"], exitCode: 3, stdout: "out", stderr: "err" });
  });

  it("reads a copy of it from another SDK bundle (the engine's), which instanceof would miss", () => {
    const copy = Object.assign(new Error("exit code: 1"), { name: "ExecError", code: "D109", cmd: ["x"], exitCode: 1, stdout: "", stderr: "boom" });
    expect(execFailure(copy)).toEqual({ cmd: ["x"], exitCode: 1, stdout: "", stderr: "boom" });
  });

  it.each([
    ["a plain error", new Error("nope")],
    ["a GraphQL request error", new GraphQLRequestError("bad query", { error: { request: { query: "" }, response: { errors: [] } } as never })],
    ["an error named ExecError without the SDK's code", Object.assign(new Error("x"), { name: "ExecError", exitCode: 1 })],
    ["an exec error without an exit code", Object.assign(new Error("x"), { name: "ExecError", code: "D109" })],
    ["a string", "ExecError"],
    ["undefined", undefined],
  ])("is undefined for %s", (_, error) => {
    expect(execFailure(error)).toBeUndefined();
  });
});
