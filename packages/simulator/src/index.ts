export { createNarrowTable } from "./narrow-table.ts";
export type { NarrowTableOptions } from "./narrow-table.ts";
