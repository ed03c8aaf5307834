/** The apps drydock builds, in the order every list of them (scans, reports, releases) follows. */
export const APP_NAMES = ["backend", "frontend"] as const;
export type AppName = (typeof APP_NAMES)[number];
