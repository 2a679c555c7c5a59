import type pg from 'pg';
import { quoteQualified } from '@fleetpivot/pgkit';
import type { SourceTable } from '@fleetpivot/events';
import { BackfillError } from './errors.ts';
import { NARROW_COLUMNS } from './narrow-row.ts';
import type { ChunkAccess } from './chunk-sql.ts';

export interface PreflightResult {
  /** Problems that do not stop a backfill but that the operator must hear about. */
  warnings: string[];
  replicaIdentity: 'default' | 'nothing' | 'full' | 'index';
  hasPrimaryKey: boolean;
  /** How chunks bounded in time are read (chunk-sql.ts): `channel-walk` needs a (ship_id, data_channel_id, created_time) btree. */
  access: ChunkAccess;
}

const IDENTITIES = { d: 'default', n: 'nothing', f: 'full', i: 'index' } as const;

/** The source table exists and has every narrow column; says what UPDATE/DELETE capture still needs. */
export async function checkSourceTable(client: pg.ClientBase, table: SourceTable): Promise<PreflightResult> {
  const name = quoteQualified(table.schema, table.table);
  const found = await client.query<{ oid: number | null; db: string }>('SELECT to_regclass($1)::oid AS oid, current_database() AS db', [name]);
  const oid = found.rows[0]?.oid ?? null;
  if (oid === null) {
    throw new BackfillError('source_missing', `source table ${table.schema}.${table.table} does not exist in database ${found.rows[0]?.db ?? '?'}`);
  }
  const cols = await client.query<{ attname: string }>('SELECT attname FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped', [oid]);
  const have = new Set(cols.rows.map((r) => r.attname));
  const missing = NARROW_COLUMNS.filter((c) => !have.has(c));
  if (missing.length > 0) {
    throw new BackfillError('columns_missing', `source table ${table.schema}.${table.table} lacks column(s) ${missing.join(', ')} (expected ${NARROW_COLUMNS.join(', ')})`);
  }
  const rel = await client.query<{ relreplident: string; pk: boolean }>(
    `SELECT relreplident, EXISTS (SELECT 1 FROM pg_index WHERE indrelid = c.oid AND indisprimary) AS pk FROM pg_class c WHERE c.oid = $1`,
    [oid],
  );
  const replicaIdentity = IDENTITIES[(rel.rows[0]?.relreplident ?? 'd') as keyof typeof IDENTITIES];
  const hasPrimaryKey = rel.rows[0]?.pk ?? false;
  const warnings: string[] = [];
  const capturesOld = replicaIdentity === 'full' || replicaIdentity === 'index' || (replicaIdentity === 'default' && hasPrimaryKey);
  if (!capturesOld) {
    warnings.push(
      `source table ${table.schema}.${table.table} has no primary key and REPLICA IDENTITY ${replicaIdentity.toUpperCase()}: ` +
        `the backfill works, but UPDATE/DELETE on it cannot be captured live; run: ALTER TABLE ${name} REPLICA IDENTITY FULL`,
    );
  }
  const access: ChunkAccess = (await hasChannelIndex(client, oid)) ? 'channel-walk' : 'scan';
  if (access === 'scan') {
    warnings.push(
      `source table ${table.schema}.${table.table} has no valid btree index on (ship_id, data_channel_id, created_time): every chunk of a ` +
        `ship cut into several chunks scans the whole ship (or table); for a large table, add one (CREATE INDEX CONCURRENTLY ... ` +
        `ON ${name} (ship_id, data_channel_id, created_time)) or raise --chunk-rows`,
    );
  }
  return { warnings, replicaIdentity, hasPrimaryKey, access };
}

/**
 * Whether a usable btree leads with (ship_id, data_channel_id, created_time): valid, not partial, and with the
 * channel column's own collation (the walk's `min()` and `>` must order channels as the index does).
 */
async function hasChannelIndex(client: pg.ClientBase, oid: number): Promise<boolean> {
  const { rows } = await client.query<{ ok: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam
       WHERE i.indrelid = $1 AND am.amname = 'btree' AND i.indisvalid AND i.indisready AND i.indpred IS NULL AND i.indnkeyatts >= 3
         AND (SELECT attname FROM pg_attribute WHERE attrelid = $1 AND attnum = i.indkey[0]) = 'ship_id'
         AND (SELECT attname FROM pg_attribute WHERE attrelid = $1 AND attnum = i.indkey[1]) = 'data_channel_id'
         AND (SELECT attname FROM pg_attribute WHERE attrelid = $1 AND attnum = i.indkey[2]) = 'created_time'
         AND i.indcollation[1] = (SELECT attcollation FROM pg_attribute WHERE attrelid = $1 AND attname = 'data_channel_id')
     ) AS ok`,
    [oid],
  );
  return rows[0]?.ok ?? false;
}

/**
 * The capture's slot must exist, in this database, and be past its creation (confirmed_flush_lsn is set
 * once the slot reached its consistent point): every change committed after that is delivered live, so a
 * snapshot taken after this check misses nothing. Without the slot a change made while a chunk is in
 * flight could reach neither path.
 */
export async function checkSlot(client: pg.ClientBase, slotName: string): Promise<void> {
  const { rows } = await client.query<{ database: string | null; slot_type: string; ready: boolean }>(
    `SELECT database, slot_type, confirmed_flush_lsn IS NOT NULL AS ready FROM pg_replication_slots WHERE slot_name = $1`,
    [slotName],
  );
  const slot = rows[0];
  if (!slot) {
    throw new BackfillError(
      'slot_missing',
      `replication slot ${JSON.stringify(slotName)} does not exist: start the capture service first (its slot must exist before the backfill reads, or changes made meanwhile could be lost)`,
    );
  }
  const db = (await client.query<{ db: string }>('SELECT current_database() AS db')).rows[0]?.db;
  if (slot.slot_type !== 'logical' || slot.database !== db) {
    throw new BackfillError('slot_missing', `replication slot ${JSON.stringify(slotName)} is not a logical slot of database ${db ?? '?'}: start the capture service first`);
  }
  if (!slot.ready) {
    throw new BackfillError('slot_missing', `replication slot ${JSON.stringify(slotName)} is still being created: wait for the capture service to start streaming`);
  }
}
