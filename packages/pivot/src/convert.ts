import type { CellValue, ValueFormat } from '@fleetpivot/events';
import { renderText } from '@fleetpivot/events';

/** How wide columns are typed: `typed` (default) maps each format to its PostgreSQL type; `text` is the seed's all-text layout. */
export type ColumnMode = 'typed' | 'text';
export type ColumnType = 'double precision' | 'bigint' | 'boolean' | 'text';

const TYPED: Record<ValueFormat, ColumnType> = { Decimal: 'double precision', Integer: 'bigint', Boolean: 'boolean', String: 'text' };

/** The column type a channel gets when first seen with `format`. */
export function columnTypeFor(format: ValueFormat, mode: ColumnMode): ColumnType {
  return mode === 'text' ? 'text' : TYPED[format];
}

const TWO_53 = 2n ** 53n;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * The value as PostgreSQL input text for a column of `type`, or null when it cannot be stored there
 * without loss (the caller then keeps it in the part's `_overflow` jsonb). The rule (docs/pivot.md):
 * text takes everything (rendered like the seed's ::text); double takes Decimal, and Integer while
 * |v| <= 2^53; bigint takes Integer, and integral Decimal within int64 (not -0); boolean takes Boolean.
 */
export function valueForColumn(cell: CellValue, type: ColumnType): string | null {
  switch (type) {
    case 'text':
      return renderText(cell);
    case 'double precision':
      // Input text only has to parse back to the same double: JS's shortest round-trip form does, and is cheaper
      // than the seed's display rendering. -0 is the one value String() does not keep.
      if (cell.format === 'Decimal') return Object.is(cell.value, -0) ? '-0' : String(cell.value);
      if (cell.format === 'Integer') {
        const v = BigInt(cell.value);
        return v <= TWO_53 && v >= -TWO_53 ? v.toString() : null;
      }
      return null;
    case 'bigint':
      if (cell.format === 'Integer') return cell.value.toString();
      if (cell.format === 'Decimal' && Number.isInteger(cell.value) && !Object.is(cell.value, -0)) {
        const v = BigInt(cell.value);
        return v >= INT64_MIN && v <= INT64_MAX ? v.toString() : null;
      }
      return null;
    case 'boolean':
      return cell.format === 'Boolean' ? String(cell.value) : null;
  }
}

/** The `_overflow` entry of a value that did not fit its column: format plus the seed's text rendering. */
export function overflowEntry(cell: CellValue): { format: ValueFormat; value: string } {
  return { format: cell.format, value: renderText(cell) };
}
