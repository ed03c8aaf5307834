/** The body both apps answer their health path with, naming the service that answers. */
export declare function healthBody(service: string): { status: "ok"; service: string };

/** A note's creation time as the page shows it: UTC, to the minute, the same on every server. */
export declare function formatCreatedAt(iso: string): string;
