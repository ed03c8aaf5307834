/** The e2e run stops before it starts when a filesystem it writes to is short of space. */
import { describe, expect, it } from "vitest";
import { checkFreeSpace, describeFreeSpace, MIN_FREE_GIB, minFreeGib } from "../../support/docker/disk.ts";

const roomy = { place: "Docker's data root (/var/lib/docker), the temporary folder (/tmp)", freeGib: 53.2 };
const short = { place: "the repository's .cache (/repo/.cache)", freeGib: 7.8 };

describe("checkFreeSpace", () => {
  it("passes when every filesystem has the minimum", () => {
    expect(() => checkFreeSpace([roomy], 20)).not.toThrow();
  });

  it("names the short filesystem, its free space, the need and what to free", () => {
    expect(() => checkFreeSpace([roomy, short], 20)).toThrow(
      /needs about 20 GiB free, and has 7\.8 GiB free on the repository's \.cache \(\/repo\/\.cache\)\. .*docker builder prune -af.*DRYDOCK_E2E_MIN_FREE_GIB/,
    );
  });

  it("lists every filesystem in the run's log line", () => {
    expect(describeFreeSpace([roomy, short])).toBe(
      "53.2 GiB free on Docker's data root (/var/lib/docker), the temporary folder (/tmp); 7.8 GiB free on the repository's .cache (/repo/.cache)",
    );
  });
});

describe("minFreeGib", () => {
  it("is MIN_FREE_GIB unless DRYDOCK_E2E_MIN_FREE_GIB says otherwise", () => {
    expect(minFreeGib({})).toBe(MIN_FREE_GIB);
    expect(minFreeGib({ DRYDOCK_E2E_MIN_FREE_GIB: "0" })).toBe(0);
    expect(minFreeGib({ DRYDOCK_E2E_MIN_FREE_GIB: "12.5" })).toBe(12.5);
  });

  it.each(["lots", "-5", "20GiB", "NaN", "1e3"])("refuses DRYDOCK_E2E_MIN_FREE_GIB=%j, naming it and what is expected", (text) => {
    expect(() => minFreeGib({ DRYDOCK_E2E_MIN_FREE_GIB: text })).toThrow(
      `DRYDOCK_E2E_MIN_FREE_GIB is ${JSON.stringify(text)}: expected a number of GiB such as 32 (0 turns the check off)`,
    );
  });
});
