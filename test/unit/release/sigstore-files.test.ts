import { describe, expect, it } from "vitest";
import { checkSigningConfig, checkTrustedRoot, SIGNING_CONFIG_MEDIA_TYPE, TRUSTED_ROOT_MEDIA_TYPE } from "../../../dagger/src/release/sigstore-files.ts";

const ROOT = "with-sigstore --trusted-root";
const CONFIG = "with-sigstore --signing-config";
const trustedRoot = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ mediaType: TRUSTED_ROOT_MEDIA_TYPE, certificateAuthorities: [{ subject: { commonName: "fulcio" } }], tlogs: [], ctlogs: [], timestampAuthorities: [], ...extra });
const signingConfig = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    mediaType: SIGNING_CONFIG_MEDIA_TYPE,
    caUrls: [{ url: "http://127.0.0.1:5555", majorApiVersion: 1 }],
    oidcUrls: [],
    rekorTlogUrls: [{ url: "http://127.0.0.1:3003", majorApiVersion: 2 }],
    tsaUrls: [{ url: "http://127.0.0.1:3004/api/v1/timestamp", majorApiVersion: 1 }],
    ...extra,
  });

describe("a private Sigstore's trusted root", () => {
  it("accepts one that trusts a Fulcio CA", () => expect(() => checkTrustedRoot(trustedRoot(), ROOT)).not.toThrow());

  it.each([
    { name: "text that is not JSON", text: "{", message: /^with-sigstore --trusted-root: found text that is not JSON \(.*\), expected a Sigstore trusted root \(trusted_root.json\)/ },
    { name: "a list", text: "[]", message: /found JSON that is not an object \(a list\)/ },
    { name: "no mediaType", text: JSON.stringify({ tlogs: [] }), message: /found no mediaType, expected a trusted root, mediaType "application\/vnd.dev.sigstore.trustedroot\+json;version=0.1"/ },
    { name: "another version", text: trustedRoot({ mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.2" }), message: /found mediaType ".*version=0.2"/ },
    { name: "the signing config in its place", text: signingConfig(), message: /the trusted root and the signing config are swapped/ },
    { name: "a list that is not one", text: trustedRoot({ tlogs: {} }), message: /found tlogs that is an object, expected tlogs as a list/ },
    {
      name: "one that trusts nothing",
      text: trustedRoot({ certificateAuthorities: [], tlogs: [], timestampAuthorities: [] }),
      message: /found a trusted root that trusts nothing/,
    },
  ])("refuses $name, naming the argument", ({ text, message }) => expect(() => checkTrustedRoot(text, ROOT)).toThrow(message));
});

describe("a private Sigstore's signing config", () => {
  it("returns the services it names", () =>
    expect(checkSigningConfig(signingConfig(), CONFIG)).toEqual({ fulcio: ["http://127.0.0.1:5555"], rekor: ["http://127.0.0.1:3003"], tsa: ["http://127.0.0.1:3004/api/v1/timestamp"] }));

  it.each([
    { name: "the trusted root in its place", text: trustedRoot(), message: /^with-sigstore --signing-config: found mediaType ".*trustedroot.*".*swapped/ },
    { name: "the v0.1 format", text: signingConfig({ mediaType: "application/vnd.dev.sigstore.signingconfig.v0.1+json" }), message: /expected a signing config, mediaType "application\/vnd.dev.sigstore.signingconfig.v0.2\+json"/ },
    { name: "a service without a URL", text: signingConfig({ tsaUrls: [{ majorApiVersion: 1 }] }), message: /found tsaUrls\[0\].url missing, expected an http\(s\) URL of the service/ },
    { name: "a service URL that is not http(s)", text: signingConfig({ caUrls: [{ url: "file:///etc/passwd" }] }), message: /found caUrls\[0\].url "file:\/\/\/etc\/passwd"/ },
  ])("refuses $name, naming the argument", ({ text, message }) => expect(() => checkSigningConfig(text, CONFIG)).toThrow(message));
});
