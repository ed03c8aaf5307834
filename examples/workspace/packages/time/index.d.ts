/** A note's creation time as the page shows it: UTC, to the minute, the same on every server. */
export declare function formatCreatedAt(iso: string): string;
