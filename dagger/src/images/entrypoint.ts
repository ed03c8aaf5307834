/**
 * The built entrypoint, checked at build time and linked at a fixed name.
 *
 * The file `node` starts is configurable (apps.<app>.entrypoint; Nest may build to
 * dist/src/main.js, a workspace's standalone Next server sits in a subfolder), but a Dockerfile's
 * exec-form ENTRYPOINT cannot take a build argument. So both ways of building run this check right
 * after the step that writes the file: it fails the build when the file is missing — naming the
 * file, the config key (and the build argument), what the build did write, and a file of the same
 * name if there is one — and otherwise links a fixed name to it, relative, so the image's
 * ENTRYPOINT is the same fixed `node <link>` whatever the config says. Node runs the link's real
 * file (it resolves the main module's symlinks), so its relative imports and __dirname are the file's own.
 *
 * Fixed program text: the root, the entrypoint, the config key and the link are its arguments; it
 * re-checks the entrypoint because `docker build --build-arg ENTRYPOINT=…` reaches it unchecked.
 * No single quote and no backslash: Dockerfile.backend and Dockerfile.frontend hold it verbatim in
 * `RUN node -e '…'`, one line of it a line there.
 */
const LINES = [
  'const fs=require("fs"),path=require("path");',
  "const [root,entry,key,link]=process.argv.slice(1);",
  'const hint=" - set "+key+" in security-config.yml (docker build: --build-arg ENTRYPOINT=...)";',
  'const fail=(m)=>{console.error(key+": "+m);process.exit(1);};',
  "const NAME=/^[A-Za-z0-9_~][A-Za-z0-9._~-]*$/;",
  'if(typeof entry!=="string"||!entry.split("/").every((s)=>NAME.test(s)))fail("found "+JSON.stringify(entry)+", expected a file path relative to the app like dist/main.js: letters, digits and . _ ~ - in /-separated names, none starting with . or -"+hint);',
  "const file=path.join(root,entry),linked=path.join(root,link),target=path.relative(path.dirname(linked),file);",
  'if(target.startsWith("..")||path.isAbsolute(target))fail("found "+JSON.stringify(entry)+", expected a file under "+path.dirname(link)+"/ - only "+path.dirname(link)+"/ of the build reaches the image"+hint);',
  "if(!(fs.existsSync(file)&&fs.statSync(file).isFile())){",
  'const top=entry.includes("/")?entry.split("/")[0]:".",at=path.join(root,top),found=[];',
  'const walk=(dir)=>{for(const e of fs.readdirSync(dir,{withFileTypes:true}).sort((a,b)=>a.name<b.name?-1:1)){if(e.name==="node_modules"||e.name.startsWith("."))continue;const p=path.join(dir,e.name);if(e.isDirectory())walk(p);else if(/[.][cm]?js$/.test(e.name))found.push(path.relative(root,p));}};',
  "if(fs.existsSync(at)&&fs.statSync(at).isDirectory())walk(at);",
  "const named=found.filter((f)=>path.basename(f)===path.basename(entry));",
  'fail("found no file "+JSON.stringify(entry)+" after the build ("+(top==="."?"the app":top+"/")+" holds "+(found.length===0?"no .js file":found.slice(0,10).join(", ")+(found.length>10?" and "+(found.length-10)+" more":""))+")"+hint+" to the file the build writes"+(named.length>0?", e.g. "+named[0]:""));}',
  "fs.rmSync(linked,{force:true});",
  "fs.symlinkSync(target,linked);",
];

export const ENTRYPOINT_CHECK = LINES.join("");

/** The fixed name the image's ENTRYPOINT starts, relative to /app: the backend's in dist/, the only folder of its build the image gets. */
export const ENTRYPOINT_LINK = { backend: "dist/.drydock-entrypoint", frontend: ".drydock-entrypoint" } as const;

/** The check's argv: in `root` (where the build left the app's files), `entrypoint` must exist; link it at `link`. */
export function entrypointCheck(root: string, entrypoint: string, configKey: string, link: string): string[] {
  return ["node", "-e", ENTRYPOINT_CHECK, root, entrypoint, configKey, link];
}
