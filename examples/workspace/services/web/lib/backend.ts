/** A note as the backend's `GET /notes` returns it. */
export interface Note {
  id: number;
  title: string;
  body: string | null;
  createdAt: string;
}

/**
 * What the page can show: the notes, or why there are none. A `problem` is shown to visitors,
 * so it names no internal address; the server log gets the details.
 */
export type NotesResult = { ok: true; notes: Note[] } | { ok: false; problem: string };

/** How long the page waits for the backend before calling it unreachable. */
const TIMEOUT_MS = 3_000;

/**
 * Fetches the notes from the backend named by BACKEND_URL (e.g. http://backend:3000) at request
 * time. Never throws: a missing or malformed setting, an unreachable backend or a bad answer
 * become a `problem` for the page instead of an error page.
 */
export async function fetchNotes(env: Record<string, string | undefined> = process.env): Promise<NotesResult> {
  const base = env.BACKEND_URL?.trim();
  if (base === undefined || base === "") {
    return misconfigured("BACKEND_URL is not set: expected the backend's base URL, like http://backend:3000");
  }
  // Relative to a base that ends in "/", so a path prefix (http://gateway/api/) is kept.
  const url = URL.parse("notes", base.endsWith("/") ? base : `${base}/`);
  if (url === null) {
    return misconfigured("BACKEND_URL is not an absolute URL: expected the backend's base URL, like http://backend:3000");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return misconfigured(`BACKEND_URL uses the scheme '${url.protocol}': expected http: or https:`);
  }

  let response: Response;
  try {
    response = await fetch(url, { cache: "no-store", signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    const reason = reasonOf(error);
    console.error(`GET ${url.origin}${url.pathname} failed: ${reason}`);
    return { ok: false, problem: `The backend is unreachable (${reason}). Try again in a moment.` };
  }
  if (!response.ok) {
    console.error(`GET ${url.origin}${url.pathname} answered ${response.status}`);
    return { ok: false, problem: `The backend answered ${response.status} ${response.statusText}. Try again in a moment.` };
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (!Array.isArray(body)) {
    console.error(`GET ${url.origin}${url.pathname} answered something other than a JSON array`);
    return { ok: false, problem: "The backend answered something other than a list of notes." };
  }
  return { ok: true, notes: body as Note[] };
}

function misconfigured(detail: string): NotesResult {
  console.error(detail);
  return { ok: false, problem: "The frontend is misconfigured and cannot reach the backend; its log names the setting to fix." };
}

/** A short reason without addresses: fetch wraps the socket error (ECONNREFUSED, …) in `cause`. */
function reasonOf(error: unknown): string {
  if (error instanceof Error && error.name === "TimeoutError") return `no answer within ${TIMEOUT_MS / 1000} s`;
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error && "code" in cause && typeof cause.code === "string") return cause.code;
  return error instanceof Error ? error.message : String(error);
}
