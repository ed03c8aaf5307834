/**
 * The Dockerfiles' way of laying out an app's install, the Dagger plan's being
 * `installLayout` (../workspace.ts) with Directory filters. A Dockerfile cannot COPY every
 * workspace project's package.json to its place (COPY globs flatten) nor decide between an app's
 * own lockfile and its workspace's, so the first stage of Dockerfile.backend and
 * Dockerfile.frontend runs this program over the build context, mounted read-only, and the later
 * stages COPY what it wrote — cached by content, so a source edit leaves the install cached.
 *
 * `node -e LAYOUT_PROGRAM <context> <APP_DIR> <out> [--pnpm=<PNPM_VERSION>] [--prisma=on|off]`
 * checks, with `--pnpm`, that the install root's package.json names that pnpm in packageManager
 * (the Dagger build reads its pnpm from there), and writes, at their paths in the repository:
 * - `<out>/install/`: the install root's package.json, pnpm-lock.yaml, pnpm-workspace.yaml and
 *   .pnpmfile.*, and the package.json of the app and of every other project of that lockfile;
 * - `<out>/packages/`: the files of the local packages the app links to (`link:` in the lockfile),
 *   directly or through each other, without node_modules;
 * - with `--prisma`, the backend's PRISMA build argument (`on` or `off`): `<out>/prisma/`,
 *   what `prisma generate` reads — the prisma.config.* files and the schema's folder (or file), found
 *   as detectPrisma (prisma.ts) finds them — and a failure when PRISMA says otherwise than the source.
 * It decides as installLayout does, and fails with the same cases: no lockfile in the app nor at
 * the root, a workspace at the root without its lockfile, an app the root lockfile does not list,
 * a link leaving the repository, a symlink on the path of any input it reads or copies (refused as
 * refuseSymlinks, ../symlinks.ts, refuses it; a symlink inside a copied folder is copied as the
 * link it is). test/unit/layout.test.ts runs both over the same trees.
 *
 * Fixed program text; the folder is an argument, checked here again because `docker build
 * --build-arg APP_DIR=…` reaches it unchecked. No single quote and no backslash: the Dockerfiles
 * hold it verbatim in `RUN node -e '…'`, one line of it a line there. The lockfile is read line by
 * line (the build image has no YAML parser): its importers at two spaces, their `link:` versions
 * at eight, as pnpm writes them.
 */
const LINES = [
  'const fs=require("fs"),path=require("path");',
  "const [context,given,out,...options]=process.argv.slice(1);",
  'const option=(name)=>{const found=options.find((o)=>o.startsWith("--"+name+"="));return found===undefined?undefined:found.slice(name.length+3);},pnpm=option("pnpm"),prisma=option("prisma");',
  'const fail=(m)=>{console.error("APP_DIR: "+m);process.exit(1);},failPnpm=(m)=>{console.error("PNPM_VERSION: "+m);process.exit(1);};',
  "const Q=String.fromCharCode(39),unquote=(s)=>s.length>1&&(s[0]===Q||s[0]===String.fromCharCode(34))&&s.endsWith(s[0])?s.slice(1,-1):s;",
  'const folder=path.posix.normalize(String(given)).replace(/[/]$/,"")||".";',
  'if(folder===".."||folder.startsWith("../")||path.posix.isAbsolute(folder))fail("found "+JSON.stringify(given)+", expected a folder inside the build context like backend or services/api");',
  "const at=(p)=>path.join(context,p),isFile=(p)=>fs.existsSync(at(p))&&fs.statSync(at(p)).isFile();",
  // No input is read through a symlink, as symlinks.ts refuses for the Dagger build: this mount resolves a link in the build
  // stage's own root (packages/evil -> / reaches its /etc), the engine inside the source. A link inside a copied folder stays a link.
  'const linkOn=(p)=>{const parts=p.split("/").filter((x)=>x!==""&&x!==".");for(let i=1;i<=parts.length;i++){const q=parts.slice(0,i).join("/");let s;try{s=fs.lstatSync(at(q));}catch(e){return undefined;}if(s.isSymbolicLink())return {link:q,to:fs.readlinkSync(at(q)),inner:i<parts.length};}return undefined;};',
  'const noLink=(p,kind,what,orElse,say)=>{const found=linkOn(p);if(found===undefined)return;const is=found.inner?"folder":kind;(say||fail)(found.link+": found a symlink to "+JSON.stringify(found.to)+", expected a "+is+" inside the build context, not a link ("+p+", "+what+") - replace the link with the "+is+" it points to"+orElse);};',
  'noLink(folder,"folder","the app folder",", or pass --build-arg APP_DIR=<the folder it points to>");',
  'if(!(fs.existsSync(at(folder))&&fs.statSync(at(folder)).isDirectory()))fail("found no folder "+JSON.stringify(folder)+" in the build context, expected the app folder - pass --build-arg APP_DIR=<its path from the repository root>");',
  'if(!isFile(path.posix.join(folder,"package.json")))fail("found no "+folder+"/package.json, expected the app manifest");',
  "const importers=(text)=>{const found=new Map();let inside=false,key;",
  "for(const line of text.split(String.fromCharCode(10))){",
  'if(/^[^ ]/.test(line.trimEnd())){inside=line.trimEnd()==="importers:";key=undefined;continue;}',
  "if(!inside)continue;let m;",
  'if((m=/^  ([^ ].*):( [{][}])?$/.exec(line.trimEnd()))){key=unquote(m[1]);if(!found.has(key))found.set(key,[]);}',
  'else if(key!==undefined&&(m=/^        version: link:(.+)$/.exec(line.trimEnd())))found.get(key).push(unquote(m[1]));}',
  "return found;};",
  'const own=isFile(path.posix.join(folder,"pnpm-lock.yaml")),root=own?folder:".";',
  "if(!own){",
  'const workspace=isFile("pnpm-workspace.yaml");',
  'if(!isFile("pnpm-lock.yaml")||folder===".")fail(workspace&&folder!=="."?"found no pnpm-lock.yaml in "+folder+", and none at the repository root beside pnpm-workspace.yaml; a workspace member installs from the lockfile at the root - run pnpm install at the repository root and commit pnpm-lock.yaml there":"found no pnpm-lock.yaml in "+folder+(folder==="."?"":", nor a pnpm workspace at the repository root")+", expected a lockfile: drydock installs with --frozen-lockfile - run pnpm install in the app folder (or at the root of its pnpm workspace) and commit pnpm-lock.yaml");}',
  'noLink(path.posix.join(root,"pnpm-lock.yaml"),"file","an input of the install","");const lock=importers(fs.readFileSync(at(path.posix.join(root,"pnpm-lock.yaml")),"utf8")),importer=own?".":folder;',
  'if(!own&&!lock.has(importer))fail("found no pnpm-lock.yaml in "+folder+", and the repository root pnpm-lock.yaml has no project "+JSON.stringify(folder)+", expected the app as a project of the workspace - make the packages of pnpm-workspace.yaml cover it, run pnpm install at the repository root and commit pnpm-lock.yaml (a stale lockfile lacks a new project)");',
  // The pnpm the Dockerfile installs must be the one the install root's packageManager names, as appPnpmVersion (pnpm-version.ts) reads it.
  // A malformed version is refused with the deps stage's own words, whichever stage fails first.
  'if(pnpm!==undefined&&!/^[0-9]+[.][0-9]+[.][0-9]+$/.test(pnpm))failPnpm("found "+JSON.stringify(pnpm)+", expected MAJOR.MINOR.PATCH like 12.4.2 - set it to the version that packageManager names, without a +sha512 suffix");',
  'const rootManifest=path.posix.join(root,"package.json");noLink(rootManifest,"file","an input of the install","");if(!isFile(rootManifest))fail("found no "+rootManifest+", expected the manifest beside "+path.posix.join(root,"pnpm-lock.yaml")+" - commit it");',
  'if(pnpm!==undefined){const manifest=rootManifest;let named;try{named=JSON.parse(fs.readFileSync(at(manifest),"utf8")).packageManager;}catch(e){failPnpm("found "+manifest+" that is no JSON ("+e.message+"), expected the manifest that names pnpm in packageManager - fix the file");}const fix=" - pass --build-arg PNPM_VERSION=<the version packageManager names>, or set packageManager to "+JSON.stringify("pnpm@"+pnpm);',
  'if(typeof named!=="string"||!named.startsWith("pnpm@"))failPnpm("found "+(named===undefined?"no packageManager":"packageManager "+JSON.stringify(named))+" in "+manifest+", expected "+JSON.stringify("pnpm@"+pnpm)+fix);',
  'if(named.includes("+"))failPnpm("found packageManager "+JSON.stringify(named)+" in "+manifest+", expected "+JSON.stringify(named.slice(0,named.indexOf("+")))+" - drop the +sha suffix: pnpm is installed with npm, which cannot verify its hash");',
  'if(named!=="pnpm@"+pnpm)failPnpm("found packageManager "+JSON.stringify(named)+" in "+manifest+", expected "+JSON.stringify("pnpm@"+pnpm)+" (PNPM_VERSION), or pnpm would switch versions"+fix);}',
  "const inRepo=(key)=>path.posix.normalize(path.posix.join(root,key)),copied=new Set(),copyFile=(p,orElse)=>{noLink(p,\"file\",\"an input of the install\",orElse||\"\");if(isFile(p)&&!copied.has(p)){copied.add(p);const to=path.join(out,\"install\",p);fs.mkdirSync(path.dirname(to),{recursive:true});fs.copyFileSync(at(p),to);}};",
  'for(const name of ["package.json","pnpm-lock.yaml","pnpm-workspace.yaml",...fs.readdirSync(at(root)).filter((n)=>n.startsWith(".pnpmfile.")).sort()])copyFile(path.posix.join(root,name));',
  'for(const key of lock.keys()){if(path.posix.isAbsolute(key)||inRepo(key)===".."||inRepo(key).startsWith("../"))fail("found the project "+JSON.stringify(key)+" in "+path.posix.join(root,"pnpm-lock.yaml")+", outside the build context, expected projects inside it - fix the workspace and run pnpm install");copyFile(path.posix.join(inRepo(key),"package.json"),", or drop the project from pnpm-workspace.yaml and run pnpm install");}',
  "const seen=new Set([inRepo(importer)]),queue=[importer];fs.mkdirSync(path.join(out,\"packages\"),{recursive:true});",
  "while(queue.length>0){const from=queue.pop();for(const link of lock.get(from)||[]){",
  "const key=path.posix.normalize(path.posix.join(from,link)),dir=inRepo(key);",
  'if(path.posix.isAbsolute(link)||dir===".."||dir.startsWith("../"))fail("found a dependency of "+JSON.stringify(inRepo(from))+" linked to "+JSON.stringify(link)+", outside the build context, expected local packages inside it - build from the repository root, or publish the package and depend on a version");',
  "if(seen.has(dir))continue;seen.add(dir);queue.push(key);",
  'noLink(dir,"folder","a local package the app links to",", or drop the package from pnpm-workspace.yaml and the dependencies, and run pnpm install");',
  'if(!(fs.existsSync(at(dir))&&fs.statSync(at(dir)).isDirectory()))fail("found no folder "+JSON.stringify(dir)+", which "+JSON.stringify(inRepo(from))+" links to (link:"+link+" in its lockfile), expected the local package - add it to the build context, or run pnpm install and commit the lockfile");',
  'fs.cpSync(at(dir),path.join(out,"packages",dir),{recursive:true,verbatimSymlinks:true,filter:(src)=>path.basename(src)!=="node_modules"});}}',
  // The backend's Prisma, as detectPrisma (prisma.ts) finds it: the config's literal schema path, else prisma/schema.prisma.
  "if(prisma!==undefined){",
  'const stop=(m)=>{console.error("PRISMA: "+m);process.exit(1);};',
  'if(prisma!=="on"&&prisma!=="off")stop("found "+JSON.stringify(prisma)+", expected on (the backend uses Prisma) or off");',
  'const C=String.fromCharCode,D=C(34),B=C(92),T=C(96),N=C(10),S="["+B+"s";',
  'const LITERAL=new RegExp("(?:^|"+S+"{,])["+D+Q+"]?schema["+D+Q+"]?"+S+"]*:"+S+"]*(?:"+D+"([^"+D+B+B+N+"]+)"+D+"|"+Q+"([^"+Q+B+B+N+"]+)"+Q+"|"+T+"([^"+T+B+B+"$"+N+"]+)"+T+")");',
  'const inApp=(p)=>path.posix.join(folder,p),isDir=(p)=>fs.existsSync(at(p))&&fs.statSync(at(p)).isDirectory(),DEFAULT="prisma/schema.prisma",INPUT="an input of prisma generate";',
  'const hasDefault=()=>{noLink(inApp(DEFAULT),"file",INPUT,"",stop);return isFile(inApp(DEFAULT));};',
  'const configs=["ts","mts","cts","js","mjs","cjs"].map((x)=>"prisma.config."+x).filter((f)=>isFile(inApp(f)));for(const f of configs)noLink(inApp(f),"file",INPUT,"",stop);',
  "let schema,schemaIsDir=false;",
  "if(configs.length===0){if(hasDefault())schema=DEFAULT;}else{",
  'const where=inApp(configs[0]),found=LITERAL.exec(fs.readFileSync(at(where),"utf8")),literal=found?(found[1]??found[2]??found[3]).trim():undefined;',
  'if(literal===undefined){if(hasDefault())schema=DEFAULT;else stop(where+": found no schema: "+D+"<path>"+D+" string literal, and no "+inApp(DEFAULT)+" - write the schema path as a literal, or move the schema to "+DEFAULT);}',
  'else{const parts=literal.split(new RegExp("["+B+B+"/]")).filter((x)=>x!==""&&x!==".");',
  'if(literal.startsWith("/")||new RegExp("^[A-Za-z]:["+B+B+"/]").test(literal)||parts.length===0||parts.includes(".."))stop(where+": schema: found "+JSON.stringify(literal)+", expected a path inside "+folder+" - move the schema into the backend folder and name it relative to the config");',
  'schema=parts.join("/");noLink(inApp(schema),"file or folder",INPUT,", or name the real path in "+where,stop);schemaIsDir=isDir(inApp(schema));if(!schemaIsDir&&!isFile(inApp(schema)))stop(where+": schema: found "+JSON.stringify(literal)+", which is not in the build context - fix the path, or commit the schema");}}',
  'if(prisma==="on"&&schema===undefined)stop("found no Prisma schema in "+folder+" (prisma/schema.prisma, or the schema a prisma.config.* names), expected one with PRISMA=on - pass --build-arg PRISMA=off for a backend without Prisma");',
  'if(prisma==="off"&&schema!==undefined)stop("found the Prisma schema "+inApp(schema)+", expected none with PRISMA=off - leave PRISMA at on, so the client is generated");',
  // The TypeScript settings Prisma's generator reads (prisma.ts, TSCONFIG_FILES): every tsconfig*.json of the app folder, copied as they are.
  'const tsconfigs=[],findTsconfigs=(dir)=>{for(const e of fs.readdirSync(at(dir),{withFileTypes:true}).sort((a,b)=>a.name<b.name?-1:1)){const p=path.posix.join(dir,e.name);if(e.isDirectory()&&e.name!=="node_modules")findTsconfigs(p);else if((e.isFile()||e.isSymbolicLink())&&/^tsconfig.*[.]json$/.test(e.name))tsconfigs.push(path.posix.relative(folder,p));}};if(schema!==undefined)findTsconfigs(folder);',
  'const inputs=schema===undefined?[]:[...configs,schemaIsDir?schema:schema.includes("/")?schema.slice(0,schema.lastIndexOf("/")):schema,...tsconfigs];',
  'fs.mkdirSync(path.join(out,"prisma"),{recursive:true});',
  'for(const input of inputs)fs.cpSync(at(inApp(input)),path.join(out,"prisma",inApp(input)),{recursive:true,verbatimSymlinks:true});}',
];

export const LAYOUT_PROGRAM = LINES.join("");

/** Where the Dockerfiles' layout stage writes, and the context it reads. */
export const LAYOUT = { context: "/context", out: "/layout" } as const;
