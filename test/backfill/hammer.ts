import type { Pool } from '@fleetpivot/pgkit';
import { createRng } from '@fleetpivot/simulator';
import { sleep } from '../capture/helpers.ts';

export interface HammerStats {
  rounds: number;
  updated: number;
  nulled: number;
  deleted: number;
  reinserted: number;
}

const T = 'tenant.tbl_data_timeseries';
// Rows in an order drawn from the seed ($5), not PostgreSQL's unseeded random(): every choice the adversary makes
// follows the test's seed (which rows exist when it looks still depends on timing).
const PICK = `ctid = ANY(ARRAY(SELECT ctid FROM ${T} WHERE ship_id = $1 AND created_time >= coalesce($2::timestamptz, '-infinity') AND created_time < coalesce($3::timestamptz, 'infinity') ORDER BY hashtext(ctid::text || $5::text) LIMIT $4))`;

/**
 * The adversary of the race test: it aims UPDATEs, NULLing UPDATEs, DELETEs and DELETE-then-re-INSERTs
 * at rows inside the chunks the backfill is reading right now (fleetpivot.backfill_chunks, status running),
 * so stale chunk rows reach Kafka before and after the live changes that supersede them.
 */
export function startHammer(pool: Pool, seed: number): { stop(): Promise<HammerStats> } {
  const stats: HammerStats = { rounds: 0, updated: 0, nulled: 0, deleted: 0, reinserted: 0 };
  let running = true;
  const rng = createRng(seed);
  const loop = (async () => {
    while (running) {
      const { rows: chunks } = await pool
        .query<{ ship_id: string; f: string | null; t: string | null }>(`SELECT ship_id, time_from::text AS f, time_to::text AS t FROM fleetpivot.backfill_chunks WHERE status = 'running' AND ship_id IS NOT NULL AND NOT null_time`)
        .catch(() => ({ rows: [] as { ship_id: string; f: string | null; t: string | null }[] }));
      if (chunks.length === 0) {
        await sleep(5);
        continue;
      }
      const c = chunks[rng.int(chunks.length)]!;
      const pick = (n: number) => [c.ship_id, c.f, c.t, n, rng.int(2 ** 31)];
      const r1 = await pool.query(
        `UPDATE ${T} SET double_v = CASE WHEN value_format = 'Decimal' THEN coalesce(double_v, 0) + 1 ELSE double_v END,
                long_v = CASE WHEN value_format = 'Integer' THEN coalesce(long_v, 0) + 1 ELSE long_v END,
                str_v = CASE WHEN value_format = 'String' THEN coalesce(str_v, '') || '+' ELSE str_v END,
                bool_v = CASE WHEN value_format = 'Boolean' THEN NOT coalesce(bool_v, false) ELSE bool_v END
          WHERE ${PICK}`,
        pick(20),
      );
      stats.updated += r1.rowCount ?? 0;
      const r2 = await pool.query(`UPDATE ${T} SET double_v = NULL, long_v = NULL, str_v = NULL, bool_v = NULL WHERE ${PICK}`, pick(3));
      stats.nulled += r2.rowCount ?? 0;
      const r3 = await pool.query(`DELETE FROM ${T} WHERE ${PICK}`, pick(8));
      stats.deleted += r3.rowCount ?? 0;
      // Delete and, in a later transaction, insert the same key again with another value (the re-insert case).
      const gone = await pool.query(`DELETE FROM ${T} WHERE ${PICK} RETURNING *`, pick(4));
      for (const g of gone.rows as Record<string, unknown>[]) {
        await pool.query(`INSERT INTO ${T} VALUES ($1, $2, $3, 'String', NULL, NULL, $4, NULL)`, [g.ship_id, g.data_channel_id, g.created_time, `again ${stats.rounds}`]);
        stats.reinserted++;
      }
      stats.rounds++;
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return stats;
    },
  };
}
