import type pg from 'pg';
import type { Admin, PartitionLag } from '@fleetpivot/transport-kafka';
import { tableExists } from '@fleetpivot/pgkit';

export interface SlotStatus {
  slot: string;
  active: boolean;
  confirmedLsn: string | null;
  lagBytes: number | null;
}

export interface PipelineStatus {
  slots: SlotStatus[];
  consumerLag: PartitionLag[];
  ships: number;
  channels: number;
  pauses: Array<{ ship: string; reason: string; pausedAt: Date }>;
  /** Rolled-back ships: the pivot drops their backfill values from jobs up to `backfillJobFence`. */
  fences: Array<{ ship: string; backfillJobFence: string; fencedAt: Date }>;
  deadLetters: number;
  backfillJobs: Array<{ id: string; status: string; rowsDone: number; rowsTotal: number; startedAt: Date | null; finishedAt: Date | null }>;
}

/** Slot lag on the source: how much WAL the capture still holds back. */
export async function slotStatus(source: pg.Pool): Promise<SlotStatus[]> {
  const r = await source.query<{ slot_name: string; active: boolean; confirmed: string | null; lag: string | null }>(
    `SELECT slot_name, active, confirmed_flush_lsn::text AS confirmed,
            pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint::text AS lag
       FROM pg_replication_slots WHERE plugin = 'pgoutput' AND database = current_database() ORDER BY slot_name`,
  );
  return r.rows.map((s) => ({ slot: s.slot_name, active: s.active, confirmedLsn: s.confirmed, lagBytes: s.lag === null ? null : Number(s.lag) }));
}

/** Everything an operator checks first, from the target database, the source and Kafka. */
export async function pipelineStatus(target: pg.Pool, source: pg.Pool, admin: Admin, o: { groupId: string; topic: string }): Promise<PipelineStatus> {
  const count = async (sql: string) => Number((await target.query<{ n: string }>(sql)).rows[0]!.n);
  const hasCatalog = await tableExists(target, 'fleetpivot.ship_tables');
  const hasJobs = await tableExists(target, 'fleetpivot.backfill_jobs');
  const hasFences = await tableExists(target, 'fleetpivot.ship_fences');
  const topics = await admin.listTopics();
  return {
    slots: await slotStatus(source),
    consumerLag: topics.includes(o.topic) ? await admin.groupLag(o.groupId, o.topic) : [],
    ships: hasCatalog ? await count('SELECT count(*) AS n FROM fleetpivot.ship_tables WHERE part = 1') : 0,
    channels: hasCatalog ? await count('SELECT count(*) AS n FROM fleetpivot.channel_columns') : 0,
    pauses: hasCatalog
      ? (await target.query<{ all_ships: boolean; ship_id: string; reason: string; paused_at: Date }>('SELECT all_ships, ship_id, reason, paused_at FROM fleetpivot.consumer_pauses ORDER BY paused_at')).rows.map(
          (p) => ({ ship: p.all_ships ? '(all)' : p.ship_id, reason: p.reason, pausedAt: p.paused_at }),
        )
      : [],
    fences: hasFences
      ? (await target.query<{ ship_id: string; fence: string; fenced_at: Date }>('SELECT ship_id, backfill_job_fence::text AS fence, fenced_at FROM fleetpivot.ship_fences ORDER BY fenced_at DESC LIMIT 20')).rows.map(
          (f) => ({ ship: f.ship_id, backfillJobFence: f.fence, fencedAt: f.fenced_at }),
        )
      : [],
    deadLetters: hasCatalog ? await count('SELECT count(*) AS n FROM fleetpivot.dead_letters') : 0,
    backfillJobs: hasJobs
      ? (await target.query<{ id: string; status: string; rows_done: string; rows_total: string; started_at: Date | null; finished_at: Date | null }>(
          'SELECT id::text, status, rows_done::text, rows_total::text, started_at, finished_at FROM fleetpivot.backfill_jobs ORDER BY id DESC LIMIT 5',
        )).rows.map((j) => ({ id: j.id, status: j.status, rowsDone: Number(j.rows_done), rowsTotal: Number(j.rows_total), startedAt: j.started_at, finishedAt: j.finished_at }))
      : [],
  };
}
