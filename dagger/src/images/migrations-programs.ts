/**
 * The fixed programs of the backend's migrations image, shared by the Dagger plan (migrations.ts)
 * and Dockerfile.backend's migrate-deps and migrate-engine stages (a parity test keeps them equal).
 * Each is program text that reads its paths from its arguments and the environment: no configured
 * value becomes program text.
 */

/**
 * `node -e MIGRATIONS_PROGRAM <out>`, in the app's folder of the build, after `pnpm deploy` wrote
 * every dependency of the app (devDependencies included) to `<out>`:
 * - checks the app uses Prisma (a prisma.config.* or prisma/schema.prisma) and that its Prisma files
 *   — what prisma generate reads: the config and the schema's folder — hold at least one migration
 *   (`migrations/<name>/migration.sql`), so an image that applies nothing and exits 0 is never built;
 * - keeps of `<out>/node_modules` only the Prisma CLI (`prisma`) and the packages the Prisma config
 *   imports (read from its text, never run), with what they depend on by Node's resolution
 *   (dependencies, optional dependencies, required peers); the rest, pnpm's `.bin` shims (shell
 *   scripts), dangling links, source maps and type declarations go. A relative import is refused:
 *   the image holds no other file of the app;
 * - with PRISMA_SCHEMA_ENGINE_BINARY set (a file of the build image), copies that file to
 *   `<out>/schema-engine`: the image ships it instead of the engine Prisma downloads.
 * No single quote, `$` or backslash: Dockerfile.backend holds it verbatim in `RUN node -e '…'`, one
 * line of it a line there.
 */
export const MIGRATIONS_LINES = [
  'const fs=require("fs"),path=require("path"),builtins=new Set(require("module").builtinModules);',
  'const out=fs.realpathSync(process.argv[1]),top=path.join(out,"node_modules");',
  'const fail=(m)=>{console.error("migrations: "+m);process.exit(1);};',
  'const config=["ts","mts","cts","js","mjs","cjs"].map((x)=>"prisma.config."+x).find((f)=>fs.existsSync(f)&&fs.statSync(f).isFile());',
  'if(config===undefined&&!fs.existsSync("prisma/schema.prisma"))fail("found no prisma.config.* and no prisma/schema.prisma in the app, expected a backend that uses Prisma - the migrations image runs prisma migrate deploy: build it for a backend with a Prisma schema and migrations only");',
  'const migrations=[],walk=(dir)=>{for(const e of fs.readdirSync(dir,{withFileTypes:true})){if(e.name==="node_modules")continue;const p=path.join(dir,e.name);',
  'if(e.isDirectory())walk(p);else if(e.name==="migration.sql"&&path.basename(path.dirname(path.dirname(p)))==="migrations")migrations.push(path.dirname(p));}};walk(".");',
  'if(migrations.length===0)fail("found no migration (migrations/<name>/migration.sql) in the Prisma files of the app ("+(config||"prisma/schema.prisma")+" and the schema folder), expected the migrations prisma migrate deploy applies - run prisma migrate dev and commit the migrations folder beside the schema");',
  'const Q=String.fromCharCode(39),D=String.fromCharCode(34),W="["+String.fromCharCode(32,9,10,13)+"]*";',
  'const IMPORT=new RegExp("(?:^|[^A-Za-z0-9_.])(?:from|import|require)"+W+"[(]?"+W+"(?:"+D+"([^"+D+"]*)"+D+"|"+Q+"([^"+Q+"]*)"+Q+")","g");',
  'const roots=["prisma"];',
  'for(const found of config===undefined?[]:fs.readFileSync(config,"utf8").matchAll(IMPORT)){const spec=found[1]??found[2];',
  'if(spec.startsWith("node:")||builtins.has(spec.split("/")[0]))continue;',
  'if(spec.startsWith(".")||spec.startsWith("/"))fail(config+": found an import of "+JSON.stringify(spec)+", expected packages only - the migrations image holds the Prisma config, schema and migrations, no other file of the app: move what it imports into the config, or into a package the app depends on");',
  'const name=spec.split("/").slice(0,spec.startsWith("@")?2:1).join("/");if(!roots.includes(name))roots.push(name);}',
  'const manifest=(dir)=>{const file=path.join(dir,"package.json");return fs.existsSync(file)?JSON.parse(fs.readFileSync(file,"utf8")):{};};',
  'const resolve=(from,name)=>{for(let dir=from;;dir=path.dirname(dir)){',
  'if(path.basename(dir)!=="node_modules"){const at=path.join(dir,"node_modules",name);if(fs.existsSync(at))return fs.realpathSync(at);}',
  "if(dir===out||dir===path.dirname(dir))return undefined;}};",
  "const kept=new Set(),queue=[];",
  "for(const name of roots){const at=path.join(top,name);",
  'if(!fs.existsSync(at))fail(name==="prisma"?"found no package prisma among the dependencies of the app, expected the Prisma CLI - add prisma to devDependencies (the version of @prisma/client) and run pnpm install":config+": found an import of "+JSON.stringify(name)+", which is no dependency of the app, expected a package of package.json - add it to dependencies or devDependencies and run pnpm install");',
  "const real=fs.realpathSync(at);if(!kept.has(real)){kept.add(real);queue.push(real);}}",
  "while(queue.length>0){const dir=queue.pop(),pkg=manifest(dir),meta=pkg.peerDependenciesMeta||{};",
  "const peers=Object.keys(pkg.peerDependencies||{}).filter((name)=>!(meta[name]&&meta[name].optional));",
  "for(const name of [...Object.keys(pkg.dependencies||{}),...Object.keys(pkg.optionalDependencies||{}),...peers]){",
  "const found=resolve(dir,name);if(found!==undefined&&!kept.has(found)){kept.add(found);queue.push(found);}}}",
  "let removed=0;",
  'const packagesIn=(nm)=>fs.readdirSync(nm).flatMap((entry)=>entry.startsWith("@")?fs.readdirSync(path.join(nm,entry)).map((name)=>path.join(nm,entry,name)):entry.startsWith(".")?[]:[path.join(nm,entry)]).filter((dir)=>fs.lstatSync(dir).isDirectory()||fs.lstatSync(dir).isSymbolicLink());',
  "const keeps=(dir)=>{try{return kept.has(fs.realpathSync(dir));}catch(e){return false;}};",
  "for(const dir of packagesIn(top))if(!keeps(dir)){if(fs.lstatSync(dir).isDirectory())removed++;fs.rmSync(dir,{recursive:true,force:true});}",
  'for(const entry of fs.readdirSync(top))if(entry.startsWith("@")&&fs.readdirSync(path.join(top,entry)).length===0)fs.rmdirSync(path.join(top,entry));',
  'const store=path.join(top,".pnpm");',
  'if(fs.existsSync(store))for(const key of fs.readdirSync(store)){const nm=path.join(store,key,"node_modules");',
  'if(key==="node_modules"||!fs.existsSync(nm))continue;const own=packagesIn(nm).filter((dir)=>fs.lstatSync(dir).isDirectory());',
  "if(own.length>0&&own.every((dir)=>!kept.has(dir))){fs.rmSync(path.join(store,key),{recursive:true,force:true});removed++;}}",
  'const sweep=(dir)=>{for(const e of fs.readdirSync(dir,{withFileTypes:true})){const at=path.join(dir,e.name);',
  'if(e.isSymbolicLink()){if(!fs.existsSync(at))fs.unlinkSync(at);}else if(e.isDirectory()){if(e.name===".bin")fs.rmSync(at,{recursive:true,force:true});else sweep(at);}',
  'else if([".map",".d.ts",".d.mts",".d.cts"].some((end)=>e.name.endsWith(end)))fs.rmSync(at);}};',
  "sweep(top);",
  "const given=process.env.PRISMA_SCHEMA_ENGINE_BINARY;",
  'if(given){if(!(fs.existsSync(given)&&fs.statSync(given).isFile()))fail("PRISMA_SCHEMA_ENGINE_BINARY: found "+JSON.stringify(given)+", which is no file in the build image, expected the schema engine the image ships - leave it unset so Prisma downloads the engine, or name the engine file");',
  'const engine=path.join(out,"schema-engine");fs.copyFileSync(given,engine);fs.chmodSync(engine,0o755);',
  'console.log("migrations: the image ships PRISMA_SCHEMA_ENGINE_BINARY ("+given+") as its schema engine, not the engine Prisma downloads");}',
  'console.log("migrations: "+migrations.length+" migration"+(migrations.length===1?"":"s")+"; kept "+kept.size+" packages for "+roots.join(", ")+", removed "+removed+" others");',
];

export const MIGRATIONS_PROGRAM = MIGRATIONS_LINES.join("");

/**
 * `node -e ENGINE_PROGRAM <dir>`, in the runtime base (so Prisma's platform detection sees the libc
 * and OpenSSL the image runs with): unless `<dir>/schema-engine` is there already (given by
 * PRISMA_SCHEMA_ENGINE_BINARY), Prisma's own fetch-engine downloads the schema engine for this
 * platform (from PRISMA_ENGINES_MIRROR when set) — failing loudly, unlike Prisma's postinstall — and
 * it becomes `<dir>/schema-engine`, executable. No double quote and no backslash: Dockerfile.backend
 * holds it in an exec-form RUN (the runtime base may have no shell), one JSON string.
 */
export const ENGINE_PROGRAM = [
  "const fs=require('fs'),path=require('path'),{createRequire}=require('module');",
  "const dir=process.argv[1],file=path.join(dir,'schema-engine');",
  "const fail=(m)=>{console.error('migrations: '+m);process.exit(1)};",
  "if(fs.existsSync(file)){console.log('migrations: schema engine given by PRISMA_SCHEMA_ENGINE_BINARY, none downloaded');process.exit(0)}",
  "const engines=path.dirname(createRequire(fs.realpathSync(path.join(dir,'node_modules','prisma'))+'/').resolve('@prisma/engines/package.json'));",
  "const load=createRequire(engines+'/');",
  "load('@prisma/engines').ensureNeededBinariesExist({download:load('@prisma/fetch-engine').download}).then(()=>{",
  "const found=fs.readdirSync(engines).filter((n)=>n.startsWith('schema-engine-'));",
  "if(found.length!==1)fail('found '+(found.length===0?'no schema engine':found.join(', '))+' in '+engines+' after the download, expected the one of this platform');",
  "fs.renameSync(path.join(engines,found[0]),file);fs.chmodSync(file,0o755);console.log('migrations: downloaded Prisma schema engine '+found[0])",
  "},(e)=>fail('could not download Prisma schema engine ('+String(e&&e.message||e).split(String.fromCharCode(10))[0]+'), expected it from binaries.prisma.sh - set PRISMA_ENGINES_MIRROR to a mirror of it, or PRISMA_SCHEMA_ENGINE_BINARY to an engine file in the build image'));",
].join("");
