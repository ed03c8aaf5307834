/**
 * After `pnpm deploy`: the same deployed files from the same lockfile, whenever and wherever it ran.
 *
 * Two builds of one commit differ in three files of pnpm 12's deploy (found by diffing two cold
 * builds of examples/app):
 * - `node_modules/.modules.yaml` records the time of the install (`prunedAt`);
 * - `node_modules/.pnpm-workspace-state-v1.json` records it too (`lastValidatedTimestamp`);
 * - the deployed `package.json` lists its dependencies in a different order each time (pnpm writes
 *   them from a hash map).
 * The first two are pnpm's own state, read by pnpm alone — which no runtime image has — so they go.
 * The package.json keeps every field and value; its dependency maps are written in name order.
 *
 * The program is fixed text in both ways of building: the Dagger plan runs
 * `node -e DEPLOY_STATE <folder>`, and Dockerfile.backend writes the same text, a line of LINES per
 * Dockerfile line, inside single quotes. So it holds no single quote, `$` or backslash (a test
 * checks). It runs no code of the repository and reads one package.json.
 */

const LINES = [
  'const fs=require("fs"),path=require("path"),out=process.argv[1];',
  'for(const state of [".modules.yaml",".pnpm-workspace-state-v1.json"])fs.rmSync(path.join(out,"node_modules",state),{force:true});',
  'const file=path.join(out,"package.json");let pkg;try{pkg=JSON.parse(fs.readFileSync(file,"utf8"));}',
  'catch(error){console.error("deploy: found no readable JSON in "+file+" ("+error.message+"), expected the package.json pnpm deploy writes");process.exit(1);}',
  'const byName=(map)=>Object.fromEntries(Object.entries(map).sort(([a],[b])=>(a<b?-1:a>b?1:0)));',
  'for(const key of ["dependencies","devDependencies","optionalDependencies","peerDependencies","peerDependenciesMeta"])',
  'if(pkg[key]!==null&&typeof pkg[key]==="object"&&!Array.isArray(pkg[key]))pkg[key]=byName(pkg[key]);',
  "fs.writeFileSync(file,JSON.stringify(pkg,null,2)+String.fromCharCode(10));",
] as const;

/** The program's lines as Dockerfile.backend writes them, one a line after `RUN node -e '\`. */
export const DEPLOY_STATE_LINES: readonly string[] = LINES;

/** `node -e DEPLOY_STATE <folder>`: the folder holds the deployed package.json and node_modules. */
export const DEPLOY_STATE = LINES.join("");
