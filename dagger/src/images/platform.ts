/** Containers on a chosen platform. */
import { dag, type Container, type Platform } from "@dagger.io/dagger";

/** An empty container on `platform`; without one, on the engine's own platform (the query is then the same as before platforms existed). */
export function containerOn(platform?: Platform): Container {
  return dag.container(platform ? { platform } : {});
}
