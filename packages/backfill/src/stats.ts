import type pg from 'pg';
import { quoteQualified } from '@fleetpivot/pgkit';
import type { SourceTable } from '@fleetpivot/events';
import { timeRangeSql } from './chunk-sql.ts';
import type { ShipStats } from './plan.ts';

interface StatsRow {
  ship_id: string | null;
  bucket: string | null;
  n: string;
  null_time: string;
  first_us: string | null;
  last_us: string | null;
}

export interface StatsScope {
  ships: readonly string[] | null;
  fromUs: bigint | null;
  toUs: bigint | null;
}

/**
 * The per-ship, per-bucket histogram query over `from` (the table, or the table with a TABLESAMPLE clause).
 * The bucket is computed in float8 (numeric epoch arithmetic per row cost ~40 % of the scan): a row a rounding
 * error puts in the neighbouring bucket only moves an estimate, and chunks cover every time whatever the counts.
 * Grouped by the int8 bucket, cast to text per group rather than per row (~25 % of the scan measured). The first
 * and last time of a bucket let the plan cut a heavy bucket where its rows are, not evenly over the whole bucket
 * (a day of which the rows may fill minutes): converted exactly, per group, not per row; the NULL bucket (NULL
 * and ±infinity times) has none.
 */
function histogramSql(from: string, where: readonly string[]): string {
  return `SELECT ship_id, bucket::text AS bucket, n::text AS n, null_time::text AS null_time,
            CASE WHEN bucket IS NOT NULL THEN (extract(epoch FROM first) * 1000000)::int8::text END AS first_us,
            CASE WHEN bucket IS NOT NULL THEN (extract(epoch FROM last) * 1000000)::int8::text END AS last_us FROM (
     SELECT ship_id,
            CASE WHEN isfinite(created_time) THEN floor(date_part('epoch', created_time) * 1000000 / $1::float8)::int8 END AS bucket,
            count(*) AS n,
            count(*) FILTER (WHERE created_time IS NULL) AS null_time,
            min(created_time) AS first, max(created_time) AS last
       FROM ${from}
      ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      GROUP BY 1, 2) fp_buckets`;
}

/**
 * One scan counting rows per ship and time bucket (plus NULL and ±infinity created_time), from which
 * the plan cuts chunks of about `chunkRows`. Exact rather than sampled: a sample could miss a small
 * ship entirely (sampled-stats.ts lists the ships through an index instead, where there is one).
 */
export async function readShipStats(client: pg.ClientBase, table: SourceTable, scope: StatsScope, bucketUs: bigint): Promise<ShipStats[]> {
  const where = timeRangeSql(scope.fromUs, scope.toUs);
  const params: unknown[] = [bucketUs.toString()];
  if (scope.ships) {
    params.push(scope.ships);
    where.push(`ship_id = ANY($2::text[])`);
  }
  // JIT would compile the aggregate (tens of ms) for a scan it does not speed up.
  await client.query('BEGIN READ ONLY; SET LOCAL jit = off');
  try {
    const { rows } = await client.query<StatsRow>(histogramSql(quoteQualified(table.schema, table.table), where), params);
    return shipStatsOf(rows, bucketUs, 1);
  } finally {
    await client.query('ROLLBACK'); // read only: nothing to keep, and the pooled connection goes back clean
  }
}

/** A histogram of a `percent` block sample of the whole table, counts scaled up by 100 / percent (sampled-stats.ts); run inside its transaction. */
export async function readSampledHistogram(client: pg.ClientBase, table: SourceTable, percent: number, bucketUs: bigint): Promise<ShipStats[]> {
  // The percentage goes as a parameter (a float8), never spliced into the SQL. REPEATABLE: the same table gives
  // the same plan, run after run.
  const from = `${quoteQualified(table.schema, table.table)} TABLESAMPLE SYSTEM ($2::float8) REPEATABLE (0)`;
  const { rows } = await client.query<StatsRow>(histogramSql(from, []), [bucketUs.toString(), percent]);
  return shipStatsOf(rows, bucketUs, 100 / percent);
}

function shipStatsOf(rows: readonly StatsRow[], bucketUs: bigint, scale: number): ShipStats[] {
  const count = (v: string) => Math.round(Number(v) * scale);
  const ships = new Map<string | null, ShipStats>();
  for (const r of rows) {
    let s = ships.get(r.ship_id);
    if (!s) {
      s = { shipId: r.ship_id, buckets: [], infiniteRows: 0, nullTimeRows: 0 };
      ships.set(r.ship_id, s);
    }
    const n = count(r.n);
    if (r.bucket === null) {
      const nullTime = count(r.null_time);
      s.nullTimeRows += nullTime;
      s.infiniteRows += n - nullTime;
    } else {
      const startUs = BigInt(r.bucket) * bucketUs;
      // A float8 rounding can put a row next to its bucket (above): the range is only used where it lies inside.
      const firstUs = r.first_us === null ? startUs : BigInt(r.first_us);
      const lastUs = r.last_us === null ? startUs + bucketUs - 1n : BigInt(r.last_us);
      s.buckets.push({ startUs, rows: n, ...(firstUs >= startUs && lastUs < startUs + bucketUs && firstUs <= lastUs ? { firstUs, lastUs } : {}) });
    }
  }
  return [...ships.values()];
}
