import { describe, expect, it } from "vitest";
import { parsePlatforms } from "../../../dagger/src/release/platforms.ts";

describe("parsePlatforms", () => {
  it.each([
    { text: undefined, platforms: ["linux/amd64", "linux/arm64"] },
    { text: "linux/amd64,linux/arm64", platforms: ["linux/amd64", "linux/arm64"] },
    { text: " linux/arm64 , linux/amd64 ", platforms: ["linux/arm64", "linux/amd64"] },
    { text: "linux/arm64/v8,linux/aarch64", platforms: ["linux/arm64"] },
    { text: "linux/amd64", platforms: ["linux/amd64"] },
  ])("$text", ({ text, platforms }) => expect(parsePlatforms(text)).toEqual(platforms));

  it.each([
    { text: "linux/s390x", message: /unknown platform "linux\/s390x" — supported: linux\/amd64, linux\/arm64/ },
    { text: "windows/amd64,linux/amd64", message: /unknown platform "windows\/amd64"/ },
    { text: " , ", message: /--platforms is empty/ },
  ])("refuses $text", ({ text, message }) => expect(() => parsePlatforms(text)).toThrow(message));
});
