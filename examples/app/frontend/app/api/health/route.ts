/** Liveness of the frontend server itself; it does not depend on the backend. */
export function GET(): Response {
  return Response.json({ status: "ok" });
}

export const dynamic = "force-dynamic";
