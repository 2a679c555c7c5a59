import type pg from 'pg';
import { NARROW_SELECT } from '@fleetpivot/events';
import { GROUPED_FIELDS } from './channel-groups.ts';
import { chunkCopySql, chunkGroupedCopySql, shipChannelsSql, usesChannelWalk } from './chunk-sql.ts';
import type { ChunkSpec } from './plan.ts';
import type { ChunkDeps } from './produce-chunk.ts';

/**
 * A chunk read grouped by channel pays off when its groups are long: measured on 1M-row tables (PostgreSQL and
 * backfill CPU together, reads alone), ~1,000 rows per channel in a chunk saved 15–25 %, ~100 broke even, ~20 cost
 * ~10 % more (PostgreSQL's hash aggregate pays per group, five array states each).
 */
export const GROUPED_MIN_ROWS_PER_CHANNEL = 250;

export interface ChunkRead {
  sql: string;
  /** Fields of a COPY tuple. */
  fields: number;
  grouped: boolean;
  /** SET LOCAL settings the read wants, after the snapshot is taken. */
  settings: string[];
}

/**
 * How one chunk is read. Rows one per tuple (chunkCopySql), or grouped by channel (chunkGroupedCopySql) when the
 * encoding is columnar, the chunk has a ship and times (not the NULL-time chunk), and its estimated rows per channel of the ship reach
 * GROUPED_MIN_ROWS_PER_CHANNEL. The ship's channels are known only where the table has the (ship, channel,
 * time) index (`channel-walk`): elsewhere rows are read one per tuple. Both reads give the same messages' cells
 * (channel-groups.ts), so the choice is only about speed.
 */
export async function chooseRead(client: pg.ClientBase, deps: ChunkDeps, chunk: ChunkSpec): Promise<ChunkRead> {
  const channels = await shipChannels(client, deps, chunk);
  const named = channels && usesChannelWalk(chunk) ? channels : undefined;
  const grouped =
    (deps.encoding ?? 'columnar') === 'columnar' &&
    channels !== undefined &&
    !chunk.nullTime && // its rows are all irregular: nothing to group
    chunk.rowsEstimate / Math.max(1, channels.length) >= (deps.groupedMinRowsPerChannel ?? GROUPED_MIN_ROWS_PER_CHANNEL);
  if (!grouped) return { sql: chunkCopySql(deps.table, chunk, named), fields: NARROW_SELECT.length, grouped, settings: [] };
  // Through the index, not a bitmap of it: a plain index scan gives each channel's rows in time order (a bitmap
  // scan gives heap order, which in a table written by several connections at once is not), so every group's
  // arrays arrive time-ascending and the builder's duplicate check needs no Set; a whole-ship chunk is also
  // aggregated in the index's channel order. Measured on 1M rows, 100 channels, 10 ships: ~5 % faster end to end,
  // ~10 MB less backfill RSS. The planner sizes each group's five array states far above their real size (~50
  // bytes a row in all: ~5 MB for a 100k-row chunk) and would spill them to disk at the default work_mem.
  return { sql: chunkGroupedCopySql(deps.table, chunk, named), fields: GROUPED_FIELDS, grouped, settings: ['enable_bitmapscan = off', "work_mem = '64MB'"] };
}

/** The ship's channels when the table has the (ship, channel, time) index and the chunk has a ship. */
async function shipChannels(client: pg.ClientBase, deps: ChunkDeps, chunk: ChunkSpec): Promise<readonly string[] | undefined> {
  if (deps.access !== 'channel-walk' || chunk.shipId === null) return undefined;
  const known = deps.shipChannels?.get(chunk.shipId);
  if (known) return known;
  // Cached as a promise: workers starting two chunks of one ship at once walk it once (5,000 index descents).
  const shipId = chunk.shipId;
  const walk = client.query<{ fp_channel: string }>(shipChannelsSql(deps.table, shipId)).then(({ rows }) => rows.map((r) => r.fp_channel) as readonly string[]);
  deps.shipChannels?.set(shipId, walk);
  walk.catch(() => deps.shipChannels?.delete(shipId)); // a failed walk is walked again by the retry
  return walk;
}
