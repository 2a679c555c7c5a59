import type pg from 'pg';
import { quoteIdent, quoteLiteral } from '@fleetpivot/pgkit';
import type { SourceTable } from '@fleetpivot/events';
import { SourcePgError } from './errors.ts';

export interface SourceFacts {
  walLevel: string;
  role: string;
  canReplicate: boolean;
  maxReplicationSlots: number;
  usedReplicationSlots: number;
  slot: { plugin: string; database: string | null; sameDatabase: boolean } | null;
  table: { hasPrimaryKey: boolean; replicaIdentity: 'd' | 'n' | 'f' | 'i' } | null;
  publication: { tables: string[]; insert: boolean; update: boolean; delete: boolean; truncate: boolean } | null;
}

export interface PreflightOptions {
  table: SourceTable;
  slotName: string;
  publicationName: string;
  /** Capture INSERT (and TRUNCATE) only; for a narrow table without a key whose owner will not add one. */
  insertOnly: boolean;
}

/** Reads everything the preflight judges, in one round of catalog queries. */
export async function inspectSource(client: pg.ClientBase, options: PreflightOptions): Promise<SourceFacts> {
  const q = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => (await client.query(sql, params)).rows as T[];
  const [settings] = await q<{ wal_level: string; max_slots: string; used: string; role: string; can: boolean }>(
    `SELECT current_setting('wal_level') AS wal_level, current_setting('max_replication_slots') AS max_slots,
            (SELECT count(*) FROM pg_replication_slots) AS used, current_user AS role,
            (SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user) AS can`,
  );
  const [slot] = await q<{ plugin: string; database: string | null; same: boolean }>(
    `SELECT plugin, database, database = current_database() AS same FROM pg_replication_slots WHERE slot_name = $1`,
    [options.slotName],
  );
  const [table] = await q<{ has_pk: boolean; ident: 'd' | 'n' | 'f' | 'i' }>(
    `SELECT c.relreplident AS ident, EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p') AS has_pk
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
    [options.table.schema, options.table.table],
  );
  const [pub] = await q<{ tables: string[]; ins: boolean; upd: boolean; del: boolean; tru: boolean }>(
    `SELECT p.pubinsert AS ins, p.pubupdate AS upd, p.pubdelete AS del, p.pubtruncate AS tru,
            ARRAY(SELECT t.schemaname || '.' || t.tablename FROM pg_publication_tables t WHERE t.pubname = p.pubname) AS tables
       FROM pg_publication p WHERE p.pubname = $1`,
    [options.publicationName],
  );
  if (!settings) throw new SourcePgError('preflight_failed', 'could not read server settings');
  return {
    walLevel: settings.wal_level,
    role: settings.role,
    canReplicate: settings.can,
    maxReplicationSlots: Number(settings.max_slots),
    usedReplicationSlots: Number(settings.used),
    slot: slot ? { plugin: slot.plugin, database: slot.database, sameDatabase: slot.same } : null,
    table: table ? { hasPrimaryKey: table.has_pk, replicaIdentity: table.ident } : null,
    publication: pub ? { tables: pub.tables, insert: pub.ins, update: pub.upd, delete: pub.del, truncate: pub.tru } : null,
  };
}

/** Every problem that would stop capture, each with the exact statement that fixes it. Empty = go. */
export function preflightProblems(f: SourceFacts, o: PreflightOptions): string[] {
  const problems: string[] = [];
  const tbl = `${readableIdent(o.table.schema)}.${readableIdent(o.table.table)}`;
  if (f.walLevel !== 'logical') {
    problems.push(`wal_level is '${f.walLevel}' but logical decoding needs 'logical': run ALTER SYSTEM SET wal_level = logical; and restart PostgreSQL`);
  }
  if (!f.canReplicate) problems.push(`role ${readableIdent(f.role)} may not replicate: run ALTER ROLE ${readableIdent(f.role)} REPLICATION;`);
  if (!f.slot && f.usedReplicationSlots >= f.maxReplicationSlots) {
    problems.push(
      `all ${f.maxReplicationSlots} replication slots are in use (max_replication_slots): raise it (ALTER SYSTEM SET max_replication_slots = ${f.maxReplicationSlots + 4}; then restart) or drop an unused slot with SELECT pg_drop_replication_slot('<name>');`,
    );
  }
  if (f.slot && f.slot.plugin !== 'pgoutput') {
    problems.push(`slot ${o.slotName} uses plugin ${f.slot.plugin}, not pgoutput: choose another slot name or run SELECT pg_drop_replication_slot(${quoteLiteral(o.slotName)});`);
  }
  if (f.slot && !f.slot.sameDatabase) {
    problems.push(`slot ${o.slotName} belongs to database ${f.slot.database ?? '(none)'}: choose another slot name or connect to that database`);
  }
  if (!f.table) {
    problems.push(`table ${tbl} does not exist`);
    return problems;
  }
  const identityOk = f.table.replicaIdentity === 'f' || f.table.replicaIdentity === 'i' || (f.table.replicaIdentity === 'd' && f.table.hasPrimaryKey);
  if (!identityOk && !o.insertOnly) {
    problems.push(
      `${tbl} has no primary key and no usable replica identity, so UPDATE and DELETE cannot be captured (and publishing them would make the fleet's own UPDATEs fail). ` +
        `Run ALTER TABLE ${tbl} REPLICA IDENTITY FULL; or add a key (ALTER TABLE ${tbl} ADD PRIMARY KEY (ship_id, data_channel_id, created_time);), ` +
        `or enable insert-only capture explicitly (insertOnly option) to capture INSERT and TRUNCATE only`,
    );
  }
  const p = f.publication;
  if (p) {
    const qualified = `${o.table.schema}.${o.table.table}`;
    if (!p.tables.includes(qualified)) problems.push(`publication ${o.publicationName} does not include ${tbl}: run ALTER PUBLICATION ${readableIdent(o.publicationName)} ADD TABLE ${tbl};`);
    const wantRowOps = !o.insertOnly;
    if (!p.insert || !p.truncate || (wantRowOps && (!p.update || !p.delete))) {
      problems.push(`publication ${o.publicationName} does not publish every operation needed: run ALTER PUBLICATION ${readableIdent(o.publicationName)} SET (publish = ${quoteLiteral(publishList(o.insertOnly))});`);
    }
  }
  return problems;
}

// Remedies are read and pasted by people: plain names stay bare, anything else is quoted.
const RESERVED = new Set(['all', 'user', 'table', 'select', 'from', 'where', 'order', 'group', 'to', 'default', 'column', 'check']);
function readableIdent(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) && !RESERVED.has(name) ? name : quoteIdent(name);
}

export function publishList(insertOnly: boolean): string {
  return insertOnly ? 'insert, truncate' : 'insert, update, delete, truncate';
}

export async function preflight(client: pg.ClientBase, options: PreflightOptions): Promise<SourceFacts> {
  const facts = await inspectSource(client, options);
  const problems = preflightProblems(facts, options);
  if (problems.length > 0) throw new SourcePgError('preflight_failed', `capture preflight failed:\n  - ${problems.join('\n  - ')}`);
  return facts;
}
