/**
 * The Dockerfiles' way of laying out an app's install, the Dagger plan's being
 * `installLayout` (../workspace.ts) with Directory filters. A Dockerfile cannot COPY every
 * workspace project's package.json to its place (COPY globs flatten) nor decide between an app's
 * own lockfile and its workspace's, so the first stage of Dockerfile.backend and
 * Dockerfile.frontend runs this program over the build context, mounted read-only, and the later
 * stages COPY what it wrote — cached by content, so a source edit leaves the install cached.
 *
 * `node -e LAYOUT_PROGRAM <context> <APP_DIR> <out>` writes, at their paths in the repository:
 * - `<out>/install/`: the install root's package.json, pnpm-lock.yaml, pnpm-workspace.yaml and
 *   .pnpmfile.*, and the package.json of the app and of every other project of that lockfile;
 * - `<out>/packages/`: the files of the local packages the app links to (`link:` in the lockfile),
 *   directly or through each other, without node_modules.
 * It decides as installLayout does, and fails with the same cases: no lockfile in the app nor at
 * the root, a workspace at the root without its lockfile, an app the root lockfile does not list,
 * a link leaving the repository. test/unit/layout.test.ts runs both over the same trees.
 *
 * Fixed program text; the folder is an argument, checked here again because `docker build
 * --build-arg APP_DIR=…` reaches it unchecked. No single quote and no backslash: the Dockerfiles
 * hold it verbatim in `RUN node -e '…'`, one line of it a line there. The lockfile is read line by
 * line (the build image has no YAML parser): its importers at two spaces, their `link:` versions
 * at eight, as pnpm writes them.
 */
const LINES = [
  'const fs=require("fs"),path=require("path");',
  "const [context,given,out]=process.argv.slice(1);",
  'const fail=(m)=>{console.error("APP_DIR: "+m);process.exit(1);};',
  "const Q=String.fromCharCode(39),unquote=(s)=>s.length>1&&(s[0]===Q||s[0]===String.fromCharCode(34))&&s.endsWith(s[0])?s.slice(1,-1):s;",
  'const folder=path.posix.normalize(String(given)).replace(/[/]$/,"")||".";',
  'if(folder===".."||folder.startsWith("../")||path.posix.isAbsolute(folder))fail("found "+JSON.stringify(given)+", expected a folder inside the build context like backend or services/api");',
  "const at=(p)=>path.join(context,p),isFile=(p)=>fs.existsSync(at(p))&&fs.statSync(at(p)).isFile();",
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
  'const lock=importers(fs.readFileSync(at(path.posix.join(root,"pnpm-lock.yaml")),"utf8")),importer=own?".":folder;',
  'if(!own&&!lock.has(importer))fail("found no pnpm-lock.yaml in "+folder+", and the repository root pnpm-lock.yaml has no project "+JSON.stringify(folder)+", expected the app as a project of the workspace - make the packages of pnpm-workspace.yaml cover it, run pnpm install at the repository root and commit pnpm-lock.yaml (a stale lockfile lacks a new project)");',
  "const inRepo=(key)=>path.posix.normalize(path.posix.join(root,key)),copyFile=(p)=>{if(isFile(p)){fs.mkdirSync(path.dirname(path.join(out,\"install\",p)),{recursive:true});fs.copyFileSync(at(p),path.join(out,\"install\",p));}};",
  'for(const name of ["package.json","pnpm-lock.yaml","pnpm-workspace.yaml",...fs.readdirSync(at(root)).filter((n)=>n.startsWith(".pnpmfile.")).sort()])copyFile(path.posix.join(root,name));',
  'for(const key of lock.keys())copyFile(path.posix.join(inRepo(key),"package.json"));',
  "const seen=new Set([inRepo(importer)]),queue=[importer];fs.mkdirSync(path.join(out,\"packages\"),{recursive:true});",
  "while(queue.length>0){const from=queue.pop();for(const link of lock.get(from)||[]){",
  "const key=path.posix.normalize(path.posix.join(from,link)),dir=inRepo(key);",
  'if(path.posix.isAbsolute(link)||dir===".."||dir.startsWith("../"))fail("found a dependency of "+JSON.stringify(inRepo(from))+" linked to "+JSON.stringify(link)+", outside the build context, expected local packages inside it - build from the repository root, or publish the package and depend on a version");',
  "if(seen.has(dir))continue;seen.add(dir);queue.push(key);",
  'if(!(fs.existsSync(at(dir))&&fs.statSync(at(dir)).isDirectory()))fail("found no folder "+JSON.stringify(dir)+", which "+JSON.stringify(inRepo(from))+" links to (link:"+link+" in its lockfile), expected the local package - add it to the build context, or run pnpm install and commit the lockfile");',
  'fs.cpSync(at(dir),path.join(out,"packages",dir),{recursive:true,verbatimSymlinks:true,filter:(src)=>path.basename(src)!=="node_modules"});}}',
];

export const LAYOUT_PROGRAM = LINES.join("");

/** Where the Dockerfiles' layout stage writes, and the context it reads. */
export const LAYOUT = { context: "/context", out: "/layout" } as const;
