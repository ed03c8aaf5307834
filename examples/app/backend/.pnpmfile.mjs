// @prisma/client declares the prisma CLI and TypeScript as optional peer dependencies, and
// pnpm links an optional peer to the project's own copy when there is one. The backend has
// both as devDependencies, so every production install (`pnpm deploy --prod`, `install --prod`)
// would still carry the CLI with Prisma Studio, PGlite and TypeScript: about 190 MB that the
// generated client never loads. Dropping the two peers keeps them in the build stage only.
function readPackage(pkg) {
  if (pkg.name === "@prisma/client") {
    for (const peer of ["prisma", "typescript"]) {
      delete pkg.peerDependencies?.[peer];
      delete pkg.peerDependenciesMeta?.[peer];
    }
  }
  return pkg;
}

export const hooks = { readPackage };
