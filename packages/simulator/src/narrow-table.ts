import type pg from 'pg';
import { quoteIdent, quoteQualified } from '@fleetpivot/pgkit';

export interface NarrowTableOptions {
  schema?: string;
  table?: string;
  /**
   * Real sites may have no key at all (seed 002): both shapes must work. With a key,
   * UPDATE/DELETE are captured through it; without one, the table needs REPLICA IDENTITY FULL.
   */
  primaryKey?: boolean;
  /** Sets REPLICA IDENTITY FULL on a table without a key, as the operator is told to. */
  replicaIdentityFull?: boolean;
}

/** Creates `tenant.tbl_data_timeseries` exactly as MISSION.md §1 describes it. */
export async function createNarrowTable(client: pg.ClientBase | pg.Pool, options: NarrowTableOptions = {}): Promise<void> {
  const schema = options.schema ?? 'tenant';
  const table = quoteQualified(schema, options.table ?? 'tbl_data_timeseries');
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  await client.query(`CREATE TABLE IF NOT EXISTS ${table} (
    ship_id         text,
    data_channel_id text,
    created_time    timestamptz,
    value_format    text,
    double_v        double precision,
    long_v          bigint,
    str_v           text,
    bool_v          boolean${options.primaryKey ? ',\n    PRIMARY KEY (ship_id, data_channel_id, created_time)' : ''}
  )`);
  if (!options.primaryKey && options.replicaIdentityFull) await client.query(`ALTER TABLE ${table} REPLICA IDENTITY FULL`);
}
