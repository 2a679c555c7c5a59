import type pg from 'pg';
import { sqlState } from '@fleetpivot/pgkit';
import { SimulatorError } from './errors.ts';
import type { ChannelModel, SampleValue } from './values.ts';

/** One narrow row to write: the channel (for id, format and values) and its sample step. */
export interface RowRef {
  channel: ChannelModel;
  step: number;
}

/** Inserts rows of one ship with one statement (arrays through unnest), like a ship's minute batch. */
export async function insertRows(client: pg.ClientBase, table: string, shipId: string, rows: readonly RowRef[], sampleMs: number): Promise<number> {
  if (rows.length === 0) return 0;
  const cols: [string[], string[], string[], (number | null)[], (string | null)[], (string | null)[], (boolean | null)[]] = [[], [], [], [], [], [], []];
  for (const { channel, step } of rows) {
    const v = channel.value(step);
    cols[0].push(channel.channelId);
    cols[1].push(new Date(step * sampleMs).toISOString());
    cols[2].push(channel.format);
    cols[3].push(v.double_v);
    cols[4].push(v.long_v);
    cols[5].push(v.str_v);
    cols[6].push(v.bool_v);
  }
  const result = await client.query(
    `INSERT INTO ${table} (ship_id, data_channel_id, created_time, value_format, double_v, long_v, str_v, bool_v)
     SELECT $1, * FROM unnest($2::text[], $3::timestamptz[], $4::text[], $5::float8[], $6::int8[], $7::text[], $8::bool[])`,
    [shipId, ...cols],
  );
  return result.rowCount ?? 0;
}

// Without a key, several rows may share (ship, channel, time): ctid picks exactly one, as a careful
// operator's correction would. With a key the subquery is an index lookup.
const oneRow = (table: string): string =>
  `ctid = (SELECT ctid FROM ${table} WHERE ship_id = $1 AND data_channel_id = $2 AND created_time = $3 LIMIT 1)`;

/** Corrects one existing row's value; returns the number of rows changed (0 if it no longer exists). */
export async function updateRow(client: pg.ClientBase, table: string, shipId: string, row: RowRef, sampleMs: number, value: SampleValue): Promise<number> {
  return asWriteError(table, () =>
    client.query(`UPDATE ${table} SET double_v = $4, long_v = $5, str_v = $6, bool_v = $7 WHERE ${oneRow(table)}`, [
      shipId, row.channel.channelId, new Date(row.step * sampleMs).toISOString(), value.double_v, value.long_v, value.str_v, value.bool_v,
    ]),
  );
}

export async function deleteRow(client: pg.ClientBase, table: string, shipId: string, row: RowRef, sampleMs: number): Promise<number> {
  return asWriteError(table, () =>
    client.query(`DELETE FROM ${table} WHERE ${oneRow(table)}`, [shipId, row.channel.channelId, new Date(row.step * sampleMs).toISOString()]),
  );
}

async function asWriteError(table: string, run: () => Promise<pg.QueryResult>): Promise<number> {
  try {
    return (await run()).rowCount ?? 0;
  } catch (err) {
    // 55000: the table is in a publication that publishes updates/deletes but has no replica identity.
    if (sqlState(err) === '55000') {
      throw new SimulatorError(
        'replica_identity_missing',
        `cannot update or delete in ${table}: it has no primary key and no replica identity while a publication includes it; ` +
          `run ALTER TABLE ${table} REPLICA IDENTITY FULL (simulator: --replica-identity-full) or use --update-rate 0 --delete-rate 0`,
        { cause: err },
      );
    }
    throw new SimulatorError('write_failed', `write to ${table} failed: ${(err as Error).message}`, { cause: err });
  }
}
