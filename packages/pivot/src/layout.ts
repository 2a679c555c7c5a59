import { safeIdentifier } from '@fleetpivot/pgkit';
import type { ColumnType } from './convert.ts';

/**
 * Column names a channel can never take: the wide table's own columns and PostgreSQL's system columns
 * (ALTER TABLE ADD COLUMN "xmin" fails).
 */
export const RESERVED_COLUMNS: ReadonlySet<string> = new Set(['created_time', '_overflow', 'tableoid', 'xmin', 'cmin', 'xmax', 'cmax', 'ctid']);

/**
 * Per part table: PostgreSQL allows 1,600 columns (dropped ones count, we never drop) and ~8,160 bytes
 * per heap row. The byte cost is the worst case of a non-null value in the row: 8 for double/bigint,
 * 1 for boolean, 24 for text (a short value or an 18-byte TOAST pointer plus header); the rest of the
 * row (null bitmap, created_time, _overflow pointer) fits in what 7,000 leaves.
 */
export interface PartBudget {
  maxColumns: number;
  maxBytes: number;
}
export const DEFAULT_PART_BUDGET: PartBudget = { maxColumns: 1_200, maxBytes: 7_000 };

export function columnBytes(type: ColumnType): number {
  return type === 'boolean' ? 1 : type === 'text' ? 24 : 8;
}

/** The seed's table name for a ship's part (part 1 is the plain name). */
export function tableBaseName(shipId: string, part: number): string {
  return `tbl_data_timeseries_${shipId}${part === 1 ? '' : `_part${part}`}`;
}

/**
 * Deterministic identifier candidates for `raw`: the plain safe identifier, then hashed variants of
 * `raw~2`, `raw~3`, ... for when hostile ids make two raws map alike (or a name is reserved).
 */
export function safeIdentifierCandidates(raw: string, count: number, reserved?: ReadonlySet<string>): string[] {
  const out = [safeIdentifier(raw, reserved ? { reserved } : {})];
  for (let i = 2; out.length < count; i++) out.push(safeIdentifier(`${raw}~${i}`, { reserved: new Set([`${raw}~${i}`]) }));
  return out;
}

/** The first candidate identifier for `raw` that `taken` does not claim. */
export function uniqueIdentifier(raw: string, taken: (name: string) => boolean, reserved?: ReadonlySet<string>): string {
  let name = safeIdentifier(raw, reserved ? { reserved } : {});
  for (let i = 2; taken(name); i++) name = safeIdentifier(`${raw}~${i}`, { reserved: new Set([`${raw}~${i}`]) });
  return name;
}

export interface PartState {
  part: number;
  columns: number;
  bytes: number;
  /** Column names already used in this part's table. */
  names: Set<string>;
}

export interface ColumnAssignment {
  channel: string;
  part: number;
  columnName: string;
  type: ColumnType;
}

/**
 * Places new channels into the first part with room, opening part max+1 when none has any.
 * Mutates `parts` (the caller's view of the ship's layout) and returns the placements.
 */
export function assignColumns(
  parts: PartState[],
  channels: ReadonlyArray<{ channel: string; type: ColumnType }>,
  budget: PartBudget = DEFAULT_PART_BUDGET,
): ColumnAssignment[] {
  const out: ColumnAssignment[] = [];
  for (const { channel, type } of channels) {
    const cost = columnBytes(type);
    let part = parts.find((p) => p.columns + 1 <= budget.maxColumns && p.bytes + cost <= budget.maxBytes);
    if (!part) {
      part = { part: parts.reduce((m, p) => Math.max(m, p.part), 0) + 1, columns: 0, bytes: 0, names: new Set() };
      parts.push(part);
    }
    const names = part.names;
    const columnName = uniqueIdentifier(channel, (n) => names.has(n), RESERVED_COLUMNS);
    names.add(columnName);
    part.columns += 1;
    part.bytes += cost;
    out.push({ channel, part: part.part, columnName, type });
  }
  return out;
}
