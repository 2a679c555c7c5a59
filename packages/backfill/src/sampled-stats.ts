import type pg from 'pg';
import { quoteQualified } from '@fleetpivot/pgkit';
import type { SourceTable } from '@fleetpivot/events';
import { skipScanSql } from './chunk-sql.ts';
import type { ShipStats } from './plan.ts';
import { readSampledHistogram } from './stats.ts';

/**
 * Pages of the table the plan samples (`planSamplePages`): about 16 MB, ~100,000 narrow rows, read in ~50 ms
 * where the exact scan of a 10M-row table took 1–2 s before any chunk could start.
 */
export const DEFAULT_PLAN_SAMPLE_PAGES = 2_000;

/**
 * The plan's histogram for a whole-table job on a table with a btree index leading on ship_id: the ships exactly,
 * through the index (the smallest ship above the previous one, one descent each, plus whether any row has a NULL
 * ship), and their rows per time bucket estimated from a block sample of about `samplePages` pages, scaled up.
 * Only the counts are estimates, and they only size chunks: every ship found gets chunks covering all of its
 * times (`estimated`: at least one, unbounded, even when the sample holds none of its rows) and, unless
 * created_time is NOT NULL (as in the seed's primary key), a chunk for its NULL created_time rows, which a sample
 * could miss (`mayHaveNullTimes`; mostly empty, a few ms each, but one per ship). All queries read one snapshot, so
 * no ship is in one and not the other. Resolves with null when the table has no more pages than the sample would
 * read: the exact scan costs about the same then.
 */
export async function readShipStatsSampled(client: pg.ClientBase, table: SourceTable, bucketUs: bigint, samplePages: number): Promise<ShipStats[] | null> {
  const from = quoteQualified(table.schema, table.table);
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL jit = off');
  try {
    const shape = await client.query<{ pages: string; not_null: boolean }>(
      `SELECT (pg_relation_size(c.oid) / current_setting('block_size')::int8)::text AS pages, a.attnotnull AS not_null
         FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'created_time' WHERE c.oid = $1::regclass`,
      [from],
    );
    const pages = Number(shape.rows[0]?.pages ?? 0);
    if (samplePages <= 0 || pages <= samplePages) return null;
    const mayHaveNullTimes = !shape.rows[0]?.not_null;
    const listed = await client.query<{ ship_id: string | null }>(
      `${skipScanSql(table, 'ship_id', 'ship_id')}
UNION ALL
SELECT NULL WHERE EXISTS (SELECT 1 FROM ${from} WHERE ship_id IS NULL)`,
    );
    const sampled = new Map((await readSampledHistogram(client, table, (100 * samplePages) / pages, bucketUs)).map((s) => [s.shipId, s]));
    const ships = listed.rows.map((r): ShipStats => ({ ...(sampled.get(r.ship_id) ?? { shipId: r.ship_id, buckets: [], infiniteRows: 0, nullTimeRows: 0 }), estimated: true, mayHaveNullTimes }));
    // Not possible within one snapshot, but a ship must never be lost to a surprise: plan it too.
    const known = new Set(listed.rows.map((r) => r.ship_id));
    for (const s of sampled.values()) if (!known.has(s.shipId)) ships.push({ ...s, estimated: true, mayHaveNullTimes });
    return ships;
  } finally {
    await client.query('ROLLBACK');
  }
}
