import type pg from 'pg';
import { appliedThrough, pruneTombstones, takePruneMark, type PruneMark } from '@fleetpivot/sink-pg';
import { coerceError } from '@fleetpivot/pgkit';
import type { Logger } from '@fleetpivot/telemetry';
import type { Admin } from '@fleetpivot/transport-kafka';

export interface TombstonePrunerOptions {
  pool: pg.Pool;
  admin: Admin;
  groupId: string;
  topic: string;
  intervalMs: number;
  /**
   * How long after the mark the topic's end offsets are read. A job marked finished has had every message
   * acknowledged, but a killed job's last request may still be in the broker's hands: a minute is far longer than
   * that can take.
   */
  graceMs: number;
  logger: Logger;
  onPruned(count: number): void;
}

/**
 * Every `intervalMs`, one step of: mark (no backfill job running) → after the grace, the topic's end offsets →
 * once the group applied up to them, delete the tombstones older than the mark (sink-pg tombstone-prune.ts says
 * why that is safe). Then a new mark. A running job only postpones the next mark.
 */
export function startTombstonePruner(o: TombstonePrunerOptions): { stop(): Promise<void> } {
  // takenMs: this process's monotonic clock once the mark was read, so at or after the mark's now(); the grace is a
  // duration, measured from there.
  let mark: (PruneMark & { takenMs: number; ends?: Map<number, string> }) | null = null;
  let stepping: Promise<void> | null = null;
  const stopping = new AbortController();
  const step = async (): Promise<void> => {
    if (!mark) {
      const taken = await takePruneMark(o.pool);
      mark = taken && { ...taken, takenMs: performance.now() };
      return;
    }
    if (!mark.ends) {
      if (performance.now() - mark.takenMs >= o.graceMs) mark.ends = await o.admin.logEndOffsets(o.topic);
      return;
    }
    if (!(await appliedThrough(o.pool, o.groupId, o.topic, mark.ends))) return;
    const pruned = await pruneTombstones(o.pool, mark.at, undefined, stopping.signal);
    if (pruned > 0) o.logger.info({ pruned, before: mark.at }, 'pruned tombstones');
    o.onPruned(pruned);
    if (!stopping.signal.aborted) mark = null;
  };
  const timer = setInterval(() => {
    if (stepping) return; // a slow step (a big prune) is not stacked on
    stepping = step()
      .catch((err: unknown) => o.logger.warn({ err: coerceError(err) }, 'tombstone pruning step failed'))
      .finally(() => (stepping = null));
  }, o.intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      stopping.abort();
      await stepping;
    },
  };
}
