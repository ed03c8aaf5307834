/** The note's date, from the plain-JavaScript package this one depends on: built in dependency order. */
export { formatCreatedAt } from "@drydock-workspace/time";

/** The body both apps answer their health path with, naming the service that answers. */
export function healthBody(service: string): { status: "ok"; service: string } {
  return { status: "ok", service };
}
