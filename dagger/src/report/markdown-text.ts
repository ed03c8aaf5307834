/**
 * Putting untrusted text (titles, package names and paths come from the scanned image and the
 * vulnerability DB) into GitHub-flavoured Markdown without it changing the document: no raw
 * HTML, no table breakouts, no links or images it did not earn, no @-mentions in PR comments.
 */

const MAX_CELL_LENGTH = 120;
/** Longer URLs are shown as their label only: a link target is not shortened, and one row must stay small. */
const MAX_URL_LENGTH = 300;

/**
 * Put after every `@`: an @ followed by a name would notify people or teams when the summary is
 * posted as a PR comment. An entity (`&#64;`) does not stop that — GitHub decodes entities before
 * it looks for mentions — but a zero-width joiner between `@` and the name does, and stays invisible.
 */
export const MENTION_BREAK = "\u200D";

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "@": `@${MENTION_BREAK}`,
};

/**
 * GitHub turns bare `http://`, `https://` and `www.` text into links (its autolink extension), so a
 * title or path from the scanned image could put a clickable link in a PR comment. The same
 * zero-width joiner, after the scheme or before the dot, breaks the match and stays invisible.
 */
function defangAutolinks(value: string): string {
  return value.replace(/\b(https?|ftp)(?=:\/\/)/gi, `$1${MENTION_BREAK}`).replace(/\b(www)(?=\.)/gi, `$1${MENTION_BREAK}`);
}

/** Escape text for a Markdown table cell or list item, on one line, shortened to a readable length. */
export function text(value: string | undefined, maxLength = MAX_CELL_LENGTH): string {
  if (value === undefined || value === "") return "";
  const oneLine = value.replace(/\s+/g, " ").trim();
  const short = oneLine.length > maxLength ? `${oneLine.slice(0, maxLength - 1)}…` : oneLine;
  return defangAutolinks(short.replace(/[&<>"'@]/g, (c) => ENTITIES[c] ?? c).replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`));
}

/**
 * Text as inline code, for IDs and paths: Markdown inside is inert, and GitHub links no mention
 * inside a code span (`@nestjs/core` stays a package name); only the fence needs care.
 */
export function code(value: string | undefined): string {
  if (value === undefined || value === "") return "";
  const oneLine = value.replace(/\s+/g, " ").trim().slice(0, MAX_CELL_LENGTH);
  // Inside a code span HTML entities are not decoded, so pipes are the only thing to neutralise.
  return `\`${oneLine.replace(/`/g, "'").replace(/\|/g, "\\|")}\``;
}

/** Characters that would end a Markdown link target or a table cell (encodeURIComponent keeps parentheses). */
const URL_ESCAPES: Record<string, string> = { "(": "%28", ")": "%29", "|": "%7C" };

/** A link when the URL is plain http(s), else just the escaped label. */
export function link(label: string, url: string | undefined): string {
  const safeLabel = text(label);
  if (url === undefined || url.length > MAX_URL_LENGTH || !/^https?:\/\/[^\s<>"'`]+$/.test(url)) return safeLabel;
  return `[${safeLabel}](${url.replace(/[()|]/g, (c) => URL_ESCAPES[c] ?? c)})`;
}

/** A GitHub-flavoured Markdown table. */
export function table(header: readonly string[], alignments: readonly ("l" | "r")[], rows: readonly string[][]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  const rule = alignments.map((a) => (a === "r" ? "---:" : "---"));
  return [line(header), line(rule), ...rows.map(line)].join("\n");
}
