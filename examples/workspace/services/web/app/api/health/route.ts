import { healthBody } from "@drydock-workspace/shared";

/** Liveness of the frontend server itself; it does not depend on the backend. */
export function GET(): Response {
  return Response.json(healthBody("web"));
}

export const dynamic = "force-dynamic";
