import type { Change, Long, OldKey, Op } from '@fleetpivot/events';
import { UNCHANGED_TOAST } from './pgoutput.ts';
import type { PgoutputMessage, Relation, Tuple, TupleValue } from './pgoutput.ts';
import { parseBool, parseFloat8, parseInt8, parseTimestampUs } from './values.ts';

const NARROW_COLUMNS = ['ship_id', 'data_channel_id', 'created_time', 'value_format', 'double_v', 'long_v', 'str_v', 'bool_v'] as const;
type NarrowColumn = (typeof NARROW_COLUMNS)[number];

/** Where each narrow column sits in a relation's tuples (-1 when the table lacks it). */
export type ColumnIndex = Record<NarrowColumn, number>;

export function columnIndex(relation: Relation): ColumnIndex {
  const idx = {} as ColumnIndex;
  for (const c of NARROW_COLUMNS) idx[c] = relation.columns.findIndex((col) => col.name === c);
  return idx;
}

/** A change routed to the ship whose batch carries it. */
export interface RoutedChange {
  shipId: string | null;
  change: Change;
}

export interface ChangeStats {
  /** Values PostgreSQL did not resend (unchanged TOAST without REPLICA IDENTITY FULL): encoded as null. */
  unchangedToast: number;
}

function text(tuple: Tuple, i: number, stats: ChangeStats): string | null {
  if (i < 0) return null;
  const v: TupleValue | undefined = tuple[i];
  if (v === UNCHANGED_TOAST) {
    stats.unchangedToast++;
    return null;
  }
  return v ?? null;
}

function mapped<T>(tuple: Tuple, i: number, stats: ChangeStats, parse: (s: string) => T): T | null {
  const s = text(tuple, i, stats);
  return s === null ? null : parse(s);
}

function keyOf(tuple: Tuple, idx: ColumnIndex, stats: ChangeStats): OldKey {
  return {
    ship_id: text(tuple, idx.ship_id, stats),
    data_channel_id: text(tuple, idx.data_channel_id, stats),
    created_time_us: mapped(tuple, idx.created_time, stats, parseTimestampUs),
  };
}

function changeOf(op: Op, tuple: Tuple, idx: ColumnIndex, stats: ChangeStats, old: OldKey | null): Change {
  return {
    op,
    data_channel_id: text(tuple, idx.data_channel_id, stats),
    created_time_us: mapped(tuple, idx.created_time, stats, parseTimestampUs),
    value_format: text(tuple, idx.value_format, stats),
    double_v: mapped(tuple, idx.double_v, stats, parseFloat8),
    long_v: mapped<Long>(tuple, idx.long_v, stats, parseInt8),
    str_v: text(tuple, idx.str_v, stats),
    bool_v: mapped(tuple, idx.bool_v, stats, parseBool),
    old,
  };
}

/** With an 'O' (full) old tuple, unchanged TOAST values in the new tuple are taken from it. */
function withToastFallback(next: Tuple, old: Tuple | null): Tuple {
  if (!old || !next.includes(UNCHANGED_TOAST)) return next;
  return next.map((v, i) => (v === UNCHANGED_TOAST ? (old[i] ?? null) : v));
}

function sameKey(a: OldKey, b: OldKey): boolean {
  return a.ship_id === b.ship_id && a.data_channel_id === b.data_channel_id && a.created_time_us === b.created_time_us;
}

type RowMessage = Extract<PgoutputMessage, { tag: 'insert' | 'update' | 'delete' }>;

/**
 * One row message to the changes it means. An UPDATE that moves a row to another key becomes a DELETE of
 * the old key (in the old ship's batch) and an UPDATE carrying `old` (in the new ship's batch), so a
 * consumer of either ship sees the full story.
 */
export function changesOf(msg: RowMessage, idx: ColumnIndex, stats: ChangeStats): RoutedChange[] {
  if (msg.tag === 'insert') {
    return [{ shipId: text(msg.new, idx.ship_id, stats), change: changeOf('INSERT', msg.new, idx, stats, null) }];
  }
  if (msg.tag === 'delete') {
    const oldKey = keyOf(msg.old, idx, stats);
    return [{ shipId: oldKey.ship_id, change: changeOf('DELETE', msg.old, idx, stats, oldKey) }];
  }
  const next = withToastFallback(msg.new, msg.old);
  const newKey = keyOf(next, idx, stats);
  if (msg.old) {
    const oldKey = keyOf(msg.old, idx, stats);
    if (!sameKey(oldKey, newKey)) {
      return [
        { shipId: oldKey.ship_id, change: changeOf('DELETE', msg.old, idx, stats, oldKey) },
        { shipId: newKey.ship_id, change: changeOf('UPDATE', next, idx, stats, oldKey) },
      ];
    }
  }
  return [{ shipId: newKey.ship_id, change: changeOf('UPDATE', next, idx, stats, null) }];
}

/** Rough encoded size of a change, for batch splitting (Avro is compact: strings dominate). */
export function approxChangeBytes(c: Change): number {
  let n = 48 + (c.data_channel_id?.length ?? 0) + (c.value_format?.length ?? 0);
  if (c.str_v !== null) n += c.str_v.length > 1024 ? Buffer.byteLength(c.str_v) : c.str_v.length * 3;
  if (c.old) n += 16 + (c.old.ship_id?.length ?? 0) + (c.old.data_channel_id?.length ?? 0);
  return n;
}
