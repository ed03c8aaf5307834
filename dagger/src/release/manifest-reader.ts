/**
 * Reading a published manifest back from its registry, by digest: how sign, attest and verify
 * learn whether a reference is one image or an index, and each variant's digest. cosign cannot
 * print an index, and the engine's publish returns only the index's digest, so a fixed node
 * program asks the registry's HTTP API (with the login cosign gets) and prints what it served;
 * parseFetchedManifest (image-index.ts) checks those bytes against the digest before anything
 * trusts them. Free of Dagger: the program, its argv and the schemes it tries.
 */
import type { CosignFlags } from "./cosign-args.js";
import { COSIGN_WORK_DIR } from "./cosign-args.js";
import { requireDigest } from "./reference.js";

/** The media types the reader accepts, as the Accept header names them. */
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";

/** Exit codes of the reader, so the caller can say what went wrong without parsing prose. */
export const READER_EXIT = { refused: 2, notFound: 3, unreachable: 4 } as const;

/** The working folder of the reader's container (the same layout as cosign's: DOCKER_CONFIG under it). */
export const READER_WORK_DIR = COSIGN_WORK_DIR;

/**
 * The reader: fixed text; the registry, repository, digest and schemes come as arguments, the
 * login from the environment exactly as cosign reads it (COSIGN_REGISTRY_USERNAME and the secret
 * COSIGN_REGISTRY_PASSWORD, or DOCKER_CONFIG/config.json), so no configured value becomes program
 * text. It follows the registry's challenge (Basic, or a Bearer token for `repository:<path>:pull`)
 * and prints `{"contentType":…,"body":<base64 of the bytes served>}`.
 */
export const MANIFEST_READER_PROGRAM = [
  "const fs=require('fs');",
  "const [registry,repo,digest,schemes]=process.argv.slice(1);",
  `const ACCEPT=${JSON.stringify([OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST].join(", "))};`,
  "const api=registry==='docker.io'?'index.docker.io':registry;",
  "const fail=(code,m)=>{process.stderr.write(m+'\\n');process.exit(code)};",
  "const host=(k)=>k.replace(/^https?:\\/\\//,'').replace(/\\/.*$/,'');",
  "function login(){const u=process.env.COSIGN_REGISTRY_USERNAME;if(u)return{u,p:process.env.COSIGN_REGISTRY_PASSWORD||''};",
  "const d=process.env.DOCKER_CONFIG;if(!d)return undefined;let c;",
  // As docker and cosign: a DOCKER_CONFIG without config.json is no login, a config.json that does not parse an error.
  "try{c=JSON.parse(fs.readFileSync(d+'/config.json','utf8'))}catch(e){if(e.code==='ENOENT')return undefined;fail(1,'cannot read the registry login '+d+'/config.json: '+e.message)}",
  "for(const [k,e] of Object.entries(c.auths||{})){if(host(k)!==api&&host(k)!==registry)continue;",
  "if(e.auth){const t=Buffer.from(e.auth,'base64').toString('utf8');const i=t.indexOf(':');return{u:t.slice(0,i),p:t.slice(i+1)}}",
  "if(e.username)return{u:e.username,p:e.password||''}}return undefined}",
  "const basic=(l)=>'Basic '+Buffer.from(l.u+':'+l.p).toString('base64');",
  "const timeout=()=>AbortSignal.timeout(30000);",
  "async function authorize(challenge,l){const scheme=challenge.split(' ')[0].toLowerCase();",
  "if(scheme==='basic'){if(!l)fail(2,'the registry asks for a login and none was given');return basic(l)}",
  "if(scheme!=='bearer')fail(1,'the registry asks for an unknown authentication: '+challenge);",
  "const p={};for(const m of challenge.matchAll(/(\\w+)=\"([^\"]*)\"/g))p[m[1].toLowerCase()]=m[2];",
  "const url=new URL(p.realm);if(p.service)url.searchParams.set('service',p.service);url.searchParams.set('scope','repository:'+repo+':pull');",
  "const r=await fetch(url,{headers:l?{Authorization:basic(l)}:{},signal:timeout()});",
  "if(r.status!==200)fail(r.status===401||r.status===403?2:1,'the token service '+url.origin+url.pathname+' answered '+r.status+(l?' to the login':' to an anonymous request')+': '+(await r.text()).slice(0,300));",
  "const j=await r.json();const t=j.token||j.access_token;if(!t)fail(1,'the token service '+url.origin+url.pathname+' answered without a token');return 'Bearer '+t}",
  "async function main(){const l=login();const unreached=[];",
  "for(const s of schemes.split(',')){const url=s+'://'+api+'/v2/'+repo+'/manifests/'+digest;let r;",
  "try{r=await fetch(url,{headers:{Accept:ACCEPT},signal:timeout()})}catch(e){unreached.push(url+': '+((e.cause&&(e.cause.code||e.cause.message))||e.message));continue}",
  "if(r.status===401){const c=r.headers.get('www-authenticate')||'';await r.arrayBuffer();r=await fetch(url,{headers:{Accept:ACCEPT,Authorization:await authorize(c,l)},signal:timeout()})}",
  "if(r.status===401||r.status===403)fail(2,'GET '+url+': '+r.status+(l?' with the login given':' without a login')+': '+(await r.text()).slice(0,300));",
  "if(r.status===404)fail(3,'GET '+url+': 404: '+(await r.text()).slice(0,300));",
  "if(r.status!==200)fail(1,'GET '+url+': '+r.status+': '+(await r.text()).slice(0,300));",
  "const body=Buffer.from(await r.arrayBuffer());",
  "process.stdout.write(JSON.stringify({contentType:r.headers.get('content-type')||'',body:body.toString('base64')}));return}",
  "fail(4,'no answer from the registry:\\n'+unreached.join('\\n'))}",
  "main().catch((e)=>fail(1,String((e&&e.stack)||e)));",
].join("");

/**
 * The schemes the reader tries, in order, as cosign's registry client does: https, then plain
 * http for a registry cosign would reach over http (--allow-http-registry, localhost, a loopback
 * or private address).
 */
export function registrySchemes(registry: string, flags: CosignFlags = {}): ("https" | "http")[] {
  const host = registry.replace(/:\d{1,5}$/, "").replace(/^\[(.*)\]$/, "$1");
  const privateIp = /^10\.\d{1,3}\.\d{1,3}\.\d{1,3}$|^192\.168\.\d{1,3}\.\d{1,3}$|^172\.(1[6-9]|2\d|3[01])\.\d{1,3}\.\d{1,3}$/.test(host);
  const local = host === "localhost" || host.endsWith(".localhost") || host === "127.0.0.1" || host === "::1";
  return flags.allowHttpRegistry || privateIp || local ? ["https", "http"] : ["https"];
}

/** `node -e MANIFEST_READER_PROGRAM <registry> <path> <digest> <schemes>`: the manifest of `ref`, by digest. */
export function readManifestArgs(ref: string, flags: CosignFlags = {}): string[] {
  const { registry, path, digest } = requireDigest(ref, "read manifest");
  return ["node", "-e", MANIFEST_READER_PROGRAM, registry, path, digest, registrySchemes(registry, flags).join(",")];
}

/**
 * NODE_TLS_REJECT_UNAUTHORIZED=0 for --allow-insecure-registry: what cosign's flag does for its
 * own requests (a registry whose certificate cannot be verified), and nothing more.
 */
export function readerEnvironment(flags: CosignFlags = {}): Record<string, string> {
  return flags.allowInsecureRegistry ? { NODE_TLS_REJECT_UNAUTHORIZED: "0" } : {};
}
