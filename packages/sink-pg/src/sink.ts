import type pg from 'pg';
import type { ValueFormat } from '@fleetpivot/events';
import type { ColumnMode, PartBudget, Reduction } from '@fleetpivot/pivot';
import { DEFAULT_PART_BUDGET } from '@fleetpivot/pivot';
import { quoteIdent, runMigrations, sqlState } from '@fleetpivot/pgkit';

const RETRY_APPLY = new Set(['23505', '40P01', '40001']);
import { CatalogCache, DEFAULT_CATALOG_CACHE_CHANNELS, readShipLayout, type ShipLayout } from './catalog.ts';
import { extendShip } from './ddl.ts';
import { insertDeadLetters } from './dead-letters.ts';
import { writeFillPart } from './fill-copy.ts';
import { insertNewRowsStatement, partWithRows } from './insert-sql.ts';
import { fillWindows, planFills } from './fill-plan.ts';
import { DEFAULT_PREPARED_BYTES, queryPrepared } from './prepared.ts';
import { deleteEmptySql, mergeStatement } from './merge-sql.ts';
import { lockAppliedOffset, readAppliedOffset, writeAppliedOffset, type PartitionRef } from './offsets.ts';
import { planApply, usToTimestamp, type ApplyPlan } from './plan.ts';
import { shipWindows, tombstonesIn, writeTombstones } from './tombstones.ts';
import { fencesChanged } from './backfill-fences.ts';
import { SINK_COMPONENT, SINK_MIGRATIONS } from './migrations.ts';
import { SinkError } from './errors.ts';

export interface WideSinkOptions {
  pool: pg.Pool;
  /** Schema of the wide tables (default `fleetpivot_wide`). */
  schema?: string;
  mode?: ColumnMode;
  budget?: PartBudget;
  /** lock_timeout of each DDL attempt (default 2,000 ms). */
  lockTimeoutMs?: number;
  /** SQL text of prepared MERGEs kept per connection (default 2 MiB; 0: never prepare). prepared.ts says why. */
  preparedBytes?: number;
  /** Channel columns of ship layouts kept in memory (default 100,000; least recently used ships go first). */
  catalogCacheChannels?: number;
  onDdl?: (kind: 'create_table' | 'add_column', count: number) => void;
}

export const defaultWideSinkOptions = { schema: 'fleetpivot_wide', mode: 'typed', budget: DEFAULT_PART_BUDGET, lockTimeoutMs: 2_000, preparedBytes: DEFAULT_PREPARED_BYTES, catalogCacheChannels: DEFAULT_CATALOG_CACHE_CHANNELS } satisfies Partial<WideSinkOptions>;

export interface ApplyInput extends PartitionRef {
  /** What readAppliedOffset returned when the batch was filtered; a different value under lock means "stale". */
  expectedApplied: bigint;
  /** The last offset of this batch (applied, parked or skipped alike). */
  lastOffset: bigint;
  reduction: Reduction;
  /**
   * The ships of the batch's BACKFILL messages and the fences the caller filtered them with. Checked under the
   * transaction: if a rollback fenced one of them since (the caller's state comes from a poll), the answer is
   * 'fences_changed' and nothing is applied (backfill-fences.ts).
   */
  backfillFences?: { ships: readonly string[]; seen: ReadonlyMap<string, bigint> };
}

export interface ApplyResult {
  status: 'applied' | 'stale' | 'fences_changed';
  cells: number;
  rows: number;
  overflows: number;
}

/** The Postgres sink of the pivot: wide tables, catalog, exactly-once application of reduced batches. */
export class WideSink {
  readonly options: Required<Omit<WideSinkOptions, 'onDdl'>> & Pick<WideSinkOptions, 'onDdl'>;
  private readonly cache: CatalogCache;

  constructor(options: WideSinkOptions) {
    this.options = { ...defaultWideSinkOptions, ...options };
    this.cache = new CatalogCache(this.options.catalogCacheChannels);
  }

  /** fleetpivot's tables and the wide schema; safe from many replicas at once. */
  async migrate(): Promise<void> {
    const c = await this.options.pool.connect();
    try {
      await runMigrations(c, SINK_COMPONENT, SINK_MIGRATIONS);
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.options.schema)}`).catch((err: unknown) => {
        // Two replicas creating the schema at once: one loses with unique_violation, the schema exists.
        if ((err as { code?: string }).code !== '23505') throw err;
      });
    } finally {
      c.release();
    }
  }

  appliedOffset(p: PartitionRef): Promise<bigint> {
    return readAppliedOffset(this.options.pool, p);
  }

  /**
   * Applies one partition batch in one transaction, with its offset; 'stale' when someone else advanced it first.
   * A unique violation (two writers inserting the same new wide row: only possible when one ship reaches the
   * sink from two partitions) or a deadlock rolls back and is retried, as the whole batch is idempotent.
   */
  async apply(input: ApplyInput): Promise<ApplyResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.applyOnce(input);
      } catch (err) {
        const state = sqlState((err as Error).cause);
        if (attempt >= 5 || !state || !RETRY_APPLY.has(state)) throw err;
        await new Promise((r) => setTimeout(r, 20 * attempt * Math.random()));
      }
    }
  }

  /** Forgets a ship's cached layout: a rollback dropped its tables (the pivot calls this when it sees a new fence). */
  forgetShip(shipId: string): void {
    this.cache.forget(shipId);
  }

  private async applyOnce(input: ApplyInput): Promise<ApplyResult> {
    const c = await this.options.pool.connect();
    try {
      const layouts = await this.ensureLayouts(c, input.reduction);
      // Generic plans from the second run of a prepared MERGE on: PostgreSQL would otherwise plan the first five
      // runs per connection with the parameter values (~16 ms each for an 850-column part, ~4 ms generic), and
      // the values do not change the plan (an unnest joined on the primary key).
      await c.query('BEGIN; SET LOCAL plan_cache_mode = force_generic_plan');
      try {
        const applied = await lockAppliedOffset(c, input);
        if (applied !== input.expectedApplied) {
          await c.query('ROLLBACK');
          return { status: 'stale', cells: 0, rows: 0, overflows: 0 };
        }
        if (input.backfillFences && (await fencesChanged(c, input.backfillFences))) {
          await c.query('ROLLBACK');
          return { status: 'fences_changed', cells: 0, rows: 0, overflows: 0 };
        }
        const result = await this.applyLocked(c, input, layouts);
        await writeAppliedOffset(c, input, input.lastOffset);
        await c.query('COMMIT');
        return result;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        this.cache.clear();
        throw new SinkError('apply_failed', `apply batch of ${input.topic}[${input.partition}] up to offset ${input.lastOffset}`, { cause: err });
      }
    } finally {
      c.release();
    }
  }

  private async applyLocked(c: pg.ClientBase, input: ApplyInput, layouts: Map<string, ShipLayout>): Promise<ApplyResult> {
    const { reduction } = input;
    const tombstones = await tombstonesIn(c, shipWindows(reduction.ships));
    const plan = planApply(reduction.ships, layouts, tombstones);
    await writeTombstones(c, plan.tombstoneAdds, plan.tombstoneRemoves);
    let rows = await applyCellPlan(c, plan, this.options.preparedBytes);
    let cells = plan.cells;
    const overflows = new Map(plan.overflows);
    if (reduction.fills.length > 0) {
      // After the cell ops and their tombstone writes: a FILL commutes with them under live wins (types.ts).
      const fillTombstones = await tombstonesIn(c, fillWindows(reduction.fills));
      const fills = planFills(reduction.fills, layouts, fillTombstones);
      for (const part of fills.parts.values()) {
        await writeFillPart(c, part, this.options.preparedBytes);
        rows += part.times.length;
      }
      cells += fills.cells;
      if (fills.fallback.size > 0) {
        const rest = planApply(fills.fallback, layouts, fillTombstones);
        rows += await applyCellPlan(c, rest, this.options.preparedBytes);
        cells += rest.cells;
        for (const [k, n] of rest.overflows) overflows.set(k, (overflows.get(k) ?? 0) + n);
      }
    }
    let overflowCount = 0;
    if (overflows.size > 0) {
      const keys = [...overflows.keys()].map((k) => k.split('\u0000') as [string, string]);
      overflowCount = [...overflows.values()].reduce((a, b) => a + b, 0);
      await c.query(
        `UPDATE fleetpivot.channel_columns cc SET overflow_count = overflow_count + u.n FROM unnest($1::text[], $2::text[], $3::bigint[]) AS u(s, ch, n)
         WHERE cc.ship_id = u.s AND cc.data_channel_id = u.ch`,
        [keys.map((k) => k[0]), keys.map((k) => k[1]), [...overflows.values()]],
      );
    }
    await insertDeadLetters(c, input.group, reduction.parked);
    return { status: 'applied', cells, rows, overflows: overflowCount };
  }

  /** Layouts of every ship in the batch with a column for every channel that carries a value (DDL when missing). */
  private async ensureLayouts(c: pg.ClientBase, reduction: Reduction): Promise<Map<string, ShipLayout>> {
    const out = new Map<string, ShipLayout>();
    for (const [ship, needed] of neededChannels(reduction)) {
      let layout = this.cache.get(ship);
      const missing = (l: ShipLayout | undefined) => [...needed.keys()].some((ch) => !l?.channels.has(ch));
      if (!layout || missing(layout)) layout = await readShipLayout(c, ship);
      if (missing(layout)) layout = await extendShip(c, ship, needed, { ...this.options });
      this.cache.set(layout);
      out.set(ship, layout);
    }
    return out;
  }
}

/** ship → channels that carry a value in this batch, with the format each is first seen with (a new column's type). */
function neededChannels(reduction: Reduction): Map<string, Map<string, ValueFormat>> {
  const out = new Map<string, Map<string, ValueFormat>>();
  const forShip = (ship: string) => {
    let m = out.get(ship);
    if (!m) out.set(ship, (m = new Map()));
    return m;
  };
  for (const [ship, rows] of reduction.ships) {
    const needed = forShip(ship);
    for (const cells of rows.values()) for (const [ch, op] of cells) if (op.kind !== 'CLEAR' && !needed.has(ch)) needed.set(ch, op.value.format);
  }
  for (const { ship, block } of reduction.fills) {
    const needed = forShip(ship);
    for (const col of block.columns) if (!needed.has(col.data_channel_id)) needed.set(col.data_channel_id, col.value_format);
  }
  return out;
}

/** The MERGE of each part table of a cell-op plan, then the removal of rows it emptied; returns rows touched. */
async function applyCellPlan(c: pg.ClientBase, plan: ApplyPlan, preparedBytes: number): Promise<number> {
  let rows = 0;
  for (const part of plan.parts.values()) {
    // New rows by a plain INSERT; the MERGE only for the rows it left (existing rows, rows only cleared).
    const left = await queryPrepared(c, insertNewRowsStatement(part), preparedBytes);
    if (left.rows.length > 0) {
      const rest = left.rows.length === part.rows.size ? part : partWithRows(part, left.rows.map((r: { n: string }) => Number(r.n)));
      await queryPrepared(c, mergeStatement(rest), preparedBytes);
    }
    const cleared = [...part.rows].filter(([, r]) => r.clears).map(([t]) => usToTimestamp(t));
    if (cleared.length > 0) await queryPrepared(c, { text: deleteEmptySql(part), values: [cleared] }, preparedBytes);
    rows += part.rows.size;
  }
  return rows;
}
