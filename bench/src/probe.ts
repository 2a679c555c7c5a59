// Commit-to-visible latency, measured from outside the pipeline: a probe polls the wide tables (through
// the public catalog) for a marker cell of each tracked commit. A hit in a poll that started at time T
// means the cell was visible in a snapshot taken at ~T, so latency = T − commit time, with the poll
// interval as resolution. The consumer's own clock is never used.
import { quoteIdent, quoteQualified, type Pool } from '@fleetpivot/pgkit';
import type { Commit } from './live-writer.ts';

interface Pending extends Commit {
  location?: { schema: string; table: string; column: string };
}

export interface ProbeSample {
  /** ms since the probe started, when the commit happened. */
  atMs: number;
  latencyMs: number;
}

export class Probe {
  readonly samples: ProbeSample[] = [];
  readonly #pool: Pool;
  readonly #pending: Pending[] = [];
  readonly #locations = new Map<string, { schema: string; table: string; column: string }>();
  readonly #startedMs = performance.now();
  readonly #pollMs: number;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;

  constructor(pool: Pool, pollMs = 10) {
    this.#pool = pool;
    this.#pollMs = pollMs;
  }

  get pending(): number {
    return this.#pending.length;
  }

  track(commit: Commit): void {
    this.#pending.push({ ...commit });
  }

  start(): void {
    this.#timer = setInterval(() => void this.#poll(), this.#pollMs);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Waits until every tracked commit was seen, or the timeout passed; returns how many were never seen. */
  async settle(timeoutMs: number): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    while (this.#pending.length > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    return this.#pending.length;
  }

  async #poll(): Promise<void> {
    if (this.#busy || this.#pending.length === 0) return;
    this.#busy = true;
    try {
      await this.#locate();
      const ready = this.#pending.filter((p) => p.location).slice(0, 100);
      if (ready.length === 0) return;
      const parts = ready.map((p, i) => `SELECT ${i} AS i FROM ${quoteQualified(p.location!.schema, p.location!.table)} WHERE created_time = $${i + 1}::timestamptz AND ${quoteIdent(p.location!.column)} IS NOT NULL`);
      const polledAt = performance.now();
      const seen = await this.#pool.query<{ i: number }>(parts.join(' UNION ALL '), ready.map((p) => p.createdTime));
      const hits = new Set(seen.rows.map((r) => r.i));
      ready.forEach((p, i) => {
        if (!hits.has(i)) return;
        this.samples.push({ atMs: p.committedAtMs - this.#startedMs, latencyMs: polledAt - p.committedAtMs });
        this.#pending.splice(this.#pending.indexOf(p), 1);
      });
    } catch {
      // The catalog or a table does not exist yet (first commits create them): try again next poll.
    } finally {
      this.#busy = false;
    }
  }

  async #locate(): Promise<void> {
    const missing = this.#pending.filter((p) => !p.location);
    for (const p of missing) p.location = this.#locations.get(`${p.shipId}\u0000${p.channelId}`);
    const unknown = missing.filter((p) => !p.location);
    if (unknown.length === 0) return;
    const found = await this.#pool.query<{ ship_id: string; data_channel_id: string; table_schema: string; table_name: string; column_name: string }>(
      `SELECT ship_id, data_channel_id, table_schema, table_name, column_name FROM fleetpivot.channel_columns
       WHERE (ship_id, data_channel_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [unknown.map((p) => p.shipId), unknown.map((p) => p.channelId)],
    );
    for (const r of found.rows) this.#locations.set(`${r.ship_id}\u0000${r.data_channel_id}`, { schema: r.table_schema, table: r.table_name, column: r.column_name });
    for (const p of unknown) p.location = this.#locations.get(`${p.shipId}\u0000${p.channelId}`);
  }
}
