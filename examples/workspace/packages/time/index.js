/** A note's creation time as the page shows it: UTC, to the minute, the same on every server. */
export function formatCreatedAt(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "unknown time" : `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
