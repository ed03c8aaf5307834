/**
 * After `pnpm deploy --prod`: remove the packages that only an optional peer dependency leads to.
 *
 * pnpm links an optional peer to the project's own copy when there is one, and records that link
 * in the lockfile. `@prisma/client` declares the `prisma` CLI and TypeScript as optional peers; a
 * project has both as devDependencies, so a production deploy still carries the CLI with Prisma
 * Studio, PGlite, effect, React DOM and TypeScript (≈ 200 MB the generated client never loads).
 * npm and yarn leave a devDependency out of a production install whoever names it as an optional
 * peer; this step does the same, from the deployed files alone, so no repository needs a pnpmfile.
 *
 * What is kept is what Node itself finds: from the app's package.json, every `dependencies`,
 * `optionalDependencies` and required `peerDependencies` name is resolved the way `require` does
 * (walking up `node_modules` folders from the package's real location), transitively. A package
 * reached that way is never touched, so a package that something needs — including an optional
 * peer that the app or any dependency also depends on — stays. A package only an optional peer
 * leads to is one the package naming it must work without (that is what "optional" declares), and
 * one the app supplies only as a devDependency: no production install of npm or yarn would have it.
 * Links left pointing at a removed package (the optional peer's own link, `.bin` entries, pnpm's
 * hoisted links) go too. It runs no code of the repository and reads only package.json files.
 *
 * The program is one line of fixed text in both ways of building: the Dagger plan runs
 * `node -e OPTIONAL_PEER_PRUNE <folder>` and Dockerfile.backend writes the same text, a line of
 * LINES per Dockerfile line, inside single quotes. So it holds no single quote, `$` or backslash
 * (a test checks), and no line may end inside a token.
 */

const LINES = [
  'const fs=require("fs"),path=require("path");',
  'const app=fs.realpathSync(process.argv[1]),top=path.join(app,"node_modules");',
  'const manifest=(dir)=>{const file=path.join(dir,"package.json");return fs.existsSync(file)?JSON.parse(fs.readFileSync(file,"utf8")):{};};',
  'const resolve=(from,name)=>{for(let dir=from;;dir=path.dirname(dir)){',
  'if(path.basename(dir)!=="node_modules"){const at=path.join(dir,"node_modules",name);if(fs.existsSync(at))return fs.realpathSync(at);}',
  "if(dir===app||dir===path.dirname(dir))return undefined;}};",
  "const kept=new Set([app]),queue=[app];",
  "while(queue.length>0){const dir=queue.pop(),pkg=manifest(dir),meta=pkg.peerDependenciesMeta||{};",
  "const peers=Object.keys(pkg.peerDependencies||{}).filter((name)=>!(meta[name]&&meta[name].optional));",
  "for(const name of [...Object.keys(pkg.dependencies||{}),...Object.keys(pkg.optionalDependencies||{}),...peers]){",
  "const found=resolve(dir,name);if(found!==undefined&&!kept.has(found)){kept.add(found);queue.push(found);}}}",
  "const removed=[];",
  'const packagesIn=(nm)=>fs.readdirSync(nm).flatMap((entry)=>entry.startsWith("@")?fs.readdirSync(path.join(nm,entry)).map((name)=>path.join(nm,entry,name)):entry.startsWith(".")?[]:[path.join(nm,entry)]).filter((dir)=>fs.lstatSync(dir).isDirectory());',
  'const drop=(dir,gone)=>{const pkg=manifest(dir);removed.push(pkg.name+"@"+pkg.version);fs.rmSync(gone,{recursive:true,force:true});};',
  "if(fs.existsSync(top))for(const dir of packagesIn(top))if(!kept.has(dir))drop(dir,dir);",
  'const store=path.join(top,".pnpm");',
  'if(fs.existsSync(store))for(const key of fs.readdirSync(store)){const nm=path.join(store,key,"node_modules");',
  'if(key==="node_modules"||!fs.existsSync(nm))continue;const own=packagesIn(nm);',
  "if(own.length>0&&own.every((dir)=>!kept.has(dir)))drop(own[0],path.join(store,key));}",
  "const unlinkDangling=(dir)=>{for(const entry of fs.readdirSync(dir,{withFileTypes:true})){const at=path.join(dir,entry.name);",
  "if(entry.isSymbolicLink()){if(!fs.existsSync(at))fs.unlinkSync(at);}else if(entry.isDirectory())unlinkDangling(at);}};",
  "if(fs.existsSync(top))unlinkDangling(top);",
  'console.log(removed.length>0?"prune: removed "+removed.length+" packages that only optional peer dependencies lead to: "+removed.sort().join(", "):"prune: no package is reached only as an optional peer dependency");',
] as const;

/** The program's lines as Dockerfile.backend writes them, one a line after `RUN node -e '\`. */
export const OPTIONAL_PEER_PRUNE_LINES: readonly string[] = LINES;

/** `node -e OPTIONAL_PEER_PRUNE <app folder>`: the folder holds the deployed package.json and node_modules. */
export const OPTIONAL_PEER_PRUNE = LINES.join("");
