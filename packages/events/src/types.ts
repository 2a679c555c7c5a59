/**
 * The change-event contract, as TypeScript sees it. Field names are the Avro field names (snake_case),
 * so a Java or Python consumer reading the same topic sees the same names.
 */

/** INSERT/UPDATE/DELETE come from live capture; BACKFILL rows from history replay; TRUNCATE is a table-wide event. */
export type Op = 'INSERT' | 'UPDATE' | 'DELETE' | 'BACKFILL' | 'TRUNCATE';
export const OPS: readonly Op[] = ['INSERT', 'UPDATE', 'DELETE', 'BACKFILL', 'TRUNCATE'];

/** Where a batch came from. */
export type SourceKind = 'LIVE' | 'BACKFILL';

/**
 * Avro `long` surfaces as a JS number while it is a safe integer, and as a bigint beyond 2^53,
 * so `long_v` survives every Integer value PostgreSQL's bigint can hold.
 */
export type Long = number | bigint;

/** The key of a narrow row before an UPDATE changed it (or the row a DELETE removed). */
export interface OldKey {
  ship_id: string | null;
  data_channel_id: string | null;
  created_time_us: Long | null;
}

/**
 * One narrow-row change. Every column is nullable because the narrow table's are: the capture encodes
 * what it saw faithfully and the consumer decides what is pivotable (and parks what is not).
 */
export interface Change {
  op: Op;
  data_channel_id: string | null;
  /** `created_time` in microseconds since the Unix epoch, UTC (timestamptz precision). */
  created_time_us: Long | null;
  value_format: string | null;
  double_v: number | null;
  long_v: Long | null;
  str_v: string | null;
  bool_v: boolean | null;
  old: OldKey | null;
}

export interface Source {
  kind: SourceKind;
  /** Commit LSN of the source transaction ("16/B374D848"); for backfill, the snapshot's LSN. */
  lsn: string;
  /** Source commit time in microseconds since the epoch (for backfill: when the chunk was read). */
  commit_time_us: Long;
  xid: Long | null;
  /** Backfill job and chunk ids, for progress and audit. */
  job_id: string | null;
  chunk_id: string | null;
}

/**
 * One Kafka message: changes of one ship from one source transaction (or one backfill chunk slice),
 * in commit order. Kafka key = ship_id, so a ship's batches stay in order on one partition.
 */
export interface ChangeBatch {
  ship_id: string | null;
  source: Source;
  changes: Change[];
  /** Schema v2: BACKFILL cells in columnar form (absent or null in live batches and v1 messages). */
  fills?: FillBlock | null;
}

/** One channel's cells in a FillBlock (layout: schemas.ts `fillBlockSchema`, docs/architecture.md, "The event contract"). */
export interface FillColumn {
  data_channel_id: string;
  value_format: 'Decimal' | 'Integer' | 'String' | 'Boolean';
  present: Buffer;
  values: Buffer;
  strings: string[];
}

/** BACKFILL cells of one ship in columnar form: each channel named once, each time once, values packed. */
export interface FillBlock {
  times_us: Buffer;
  columns: FillColumn[];
}
