import type pg from 'pg';

/** A client or a pool: each function here is one statement (or a create-if-absent pair that tolerates races). */
export type Queryable = pg.ClientBase | pg.Pool;
import { quoteIdent, quoteQualified, sqlState } from '@fleetpivot/pgkit';
import { SourcePgError } from './errors.ts';
import { parseLsn, ZERO_LSN } from './lsn.ts';
import type { Lsn } from './lsn.ts';
import { publishList } from './preflight.ts';
import type { PreflightOptions } from './preflight.ts';

/**
 * Creates the publication on the narrow table only, unless it exists (preflight judged an existing one).
 * publish_via_partition_root: if the narrow table is partitioned, changes still arrive under its own name.
 */
export async function ensurePublication(client: Queryable, options: PreflightOptions): Promise<void> {
  const exists = await client.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [options.publicationName]);
  if (exists.rowCount) return;
  const sql = `CREATE PUBLICATION ${quoteIdent(options.publicationName)} FOR TABLE ${quoteQualified(options.table.schema, options.table.table)} WITH (publish = '${publishList(options.insertOnly)}', publish_via_partition_root = true)`;
  try {
    await client.query(sql);
  } catch (err) {
    if (sqlState(err) === '42710') return; // another instance created it first
    const hint = sqlState(err) === '42501' ? ' (only the table owner or a superuser may: run it as the owner)' : '';
    throw new SourcePgError('setup_failed', `create publication: ${sql}${hint}`, { cause: err });
  }
}

/**
 * Creates the pgoutput slot unless it exists; returns its confirmed position. The slot must exist before
 * any backfill snapshot is taken: every change after the snapshot is then guaranteed to arrive live.
 */
export async function ensureSlot(client: Queryable, slotName: string): Promise<Lsn> {
  const existing = await slotConfirmedLsn(client, slotName);
  if (existing !== null) return existing;
  try {
    const r = await client.query<{ lsn: string }>(`SELECT lsn::text AS lsn FROM pg_create_logical_replication_slot($1, 'pgoutput')`, [slotName]);
    return r.rows[0] ? parseLsn(r.rows[0].lsn) : ZERO_LSN;
  } catch (err) {
    if (sqlState(err) === '42710') return (await slotConfirmedLsn(client, slotName)) ?? ZERO_LSN;
    throw new SourcePgError('setup_failed', `create replication slot ${slotName}`, { cause: err });
  }
}

/** The slot's confirmed_flush_lsn (null if the slot does not exist). */
export async function slotConfirmedLsn(client: Queryable, slotName: string): Promise<Lsn | null> {
  const r = await client.query<{ lsn: string | null }>('SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1', [slotName]);
  if (r.rowCount === 0) return null;
  const lsn = r.rows[0]?.lsn;
  return lsn ? parseLsn(lsn) : ZERO_LSN;
}

/** WAL the slot holds back, in bytes (what the operator watches so the disk does not fill). */
export async function slotLagBytes(client: Queryable, slotName: string): Promise<number | null> {
  const r = await client.query<{ lag: string | null }>(
    'SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::text AS lag FROM pg_replication_slots WHERE slot_name = $1',
    [slotName],
  );
  const lag = r.rows[0]?.lag;
  return lag == null ? null : Number(lag);
}

/** For operators and tests: removes the slot (waits for nothing; fails if a reader is attached). */
export async function dropSlot(client: Queryable, slotName: string): Promise<void> {
  await client.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [slotName]);
}

export const HEARTBEAT_PREFIX = 'fleetpivot.heartbeat';

/**
 * Writes a tiny non-transactional logical message into the WAL. The slot decodes it even when the
 * narrow table is idle, which gives the capture a position it may confirm, so the slot does not hold
 * back the WAL of the rest of a busy database.
 */
export async function emitHeartbeat(client: Queryable, slotName: string): Promise<void> {
  await client.query('SELECT pg_logical_emit_message(false, $1, $2)', [HEARTBEAT_PREFIX, slotName]);
}
