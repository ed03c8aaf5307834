import { describe, expect, it } from "vitest";
import { normaliseMisconfigurationId } from "../../../dagger/src/findings/misconfig-id.ts";

describe("normaliseMisconfigurationId", () => {
  it.each([
    { name: "Trivy < 0.69 (ID and AVDID)", id: "DS002", avdId: "AVD-DS-0002", canonical: "DS-0002", aliases: ["DS002", "AVD-DS-0002"] },
    { name: "Trivy ≥ 0.69 (ID only)", id: "DS-0002", avdId: undefined, canonical: "DS-0002", aliases: ["AVD-DS-0002", "DS002"] },
    { name: "a Kubernetes check, old style", id: "KSV001", avdId: "AVD-KSV-0001", canonical: "KSV-0001", aliases: ["KSV001", "AVD-KSV-0001"] },
    { name: "a check numbered past 99", id: "KSV-0104", avdId: undefined, canonical: "KSV-0104", aliases: ["AVD-KSV-0104", "KSV104"] },
    { name: "a cloud check whose old ID was already the AVD ID", id: "AVD-AWS-0086", avdId: "AVD-AWS-0086", canonical: "AWS-0086", aliases: ["AVD-AWS-0086", "AWS086"] },
    { name: "a custom check with its own ID", id: "USR-POLICY-1", avdId: undefined, canonical: "USR-POLICY-1", aliases: [] },
    { name: "an AVDID without the AVD- prefix", id: "CUSTOM1", avdId: "CUSTOM-0001", canonical: "CUSTOM1", aliases: ["CUSTOM-0001"] },
  ])("gives $name one canonical ID and keeps the other spellings", ({ id, avdId, canonical, aliases }) => {
    expect(normaliseMisconfigurationId(id, avdId)).toEqual({ id: canonical, aliases });
  });
});
