/**
 * Keeping the Markdown summary small whatever the report and the config hold. Every list of the
 * summary is a `ListBlock`; the blocks share one byte budget, so no input — 100,000 findings,
 * 5,000 exceptions, hostile 4-byte characters in every title — can push the summary past
 * `MAX_SUMMARY_BYTES`. summary.json has every entry the Markdown leaves out.
 */

/**
 * The most a gate's Markdown summary weighs, in UTF-8 bytes. GitHub refuses a step summary over
 * 1 MiB and truncates PR comments at 64 KiB; build-and-scan joins three summaries plus capped
 * run-wide warnings, which stays well under both.
 */
export const MAX_SUMMARY_BYTES = 32 * 1024;

/** Entries shown per list (table rows, warnings, notes) before "…and N more", budget permitting. */
export const MAX_TABLE_ROWS = 50;

/** A list of the summary: a heading, entries (table rows or list lines), and how many there are in all. */
export interface ListBlock {
  /** `### …` with the full count; undefined for lists that need none (notes). */
  heading?: string;
  /** Header and alignment rows, when the entries are table rows. */
  tableHeader?: string;
  /** Rendered entries in the order shown; at most MAX_TABLE_ROWS are ever offered. */
  entries: readonly string[];
  /** How many entries exist in all (the rest are in summary.json). */
  total: number;
  /** What the entries are, plural, for "…and N more <what>". */
  what: string;
  /** Between entries: a newline, or a quote's empty line for notes. */
  separator?: string;
  /** Written before the "more" line, e.g. `> ` to keep it in a quote. */
  morePrefix?: string;
}

/** The block with its first `shown` entries and the line saying how many are left out. */
export function renderBlock(block: ListBlock, shown: number): string {
  const parts: string[] = [];
  if (block.heading !== undefined) parts.push(block.heading);
  if (shown > 0) {
    const entries = block.entries.slice(0, shown).join(block.separator ?? "\n");
    parts.push(block.tableHeader === undefined ? entries : `${block.tableHeader}\n${entries}`);
  }
  const more = moreLine(block, shown);
  if (more !== "") parts.push(more);
  return parts.join("\n\n");
}

function moreLine(block: ListBlock, shown: number): string {
  const left = block.total - shown;
  if (left <= 0) return "";
  const line = shown === 0 ? `_${left} ${block.what}, not shown to keep this summary short: see summary.json._` : `_…and ${left} more ${block.what}: see summary.json._`;
  return `${block.morePrefix ?? ""}${line}`;
}

export function utf8Length(text: string): number {
  return ENCODER.encode(text).length;
}
const ENCODER = new TextEncoder();

/**
 * How many entries of each block fit in `budget` bytes: every block first gets its heading and
 * "more" line, then one entry each in turn, in the order given (most important first), until
 * nothing more fits. Round by round, so one long list cannot crowd out the others, and a block
 * stops at its first entry that does not fit, so "…and N more" always means the last N.
 */
export function fitBlocks(blocks: readonly ListBlock[], budget: number): number[] {
  const shown = blocks.map(() => 0);
  const entryBytes = blocks.map((block) => block.entries.slice(0, MAX_TABLE_ROWS).map(utf8Length));
  const cost = (i: number, n: number) => blockBytes(blocks[i]!, entryBytes[i]!, n);
  let used = blocks.reduce((sum, _, i) => sum + cost(i, 0), 0);
  const open = new Set(blocks.map((_, i) => i).filter((i) => entryBytes[i]!.length > 0));
  while (open.size > 0) {
    for (const i of [...open]) {
      const n = shown[i]!;
      const extra = cost(i, n + 1) - cost(i, n);
      if (used + extra > budget) {
        open.delete(i);
        continue;
      }
      used += extra;
      shown[i] = n + 1;
      if (n + 1 === entryBytes[i]!.length) open.delete(i);
    }
  }
  return shown;
}

/** utf8Length(renderBlock(block, shown)), from the entries' sizes, without rendering. */
function blockBytes(block: ListBlock, entryBytes: readonly number[], shown: number): number {
  const parts: number[] = [];
  if (block.heading !== undefined) parts.push(utf8Length(block.heading));
  if (shown > 0) {
    let entries = (shown - 1) * utf8Length(block.separator ?? "\n");
    for (let i = 0; i < shown; i += 1) entries += entryBytes[i]!;
    parts.push(block.tableHeader === undefined ? entries : utf8Length(block.tableHeader) + 1 + entries);
  }
  const more = moreLine(block, shown);
  if (more !== "") parts.push(utf8Length(more));
  return parts.reduce((sum, n) => sum + n, 0) + 2 * Math.max(0, parts.length - 1);
}
