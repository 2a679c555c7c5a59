import { createHash } from 'node:crypto';
import type pg from 'pg';
import { quoteIdent } from '@fleetpivot/pgkit';

/** Default per-connection budget of prepared SQL text (see queryPrepared for what it costs the server). */
export const DEFAULT_PREPARED_BYTES = 2 * 1024 * 1024;

interface Statement {
  text: string;
  values: unknown[];
}

interface Cache {
  /** name → text length, least recently used first (a Map iterates in insertion order). */
  names: Map<string, number>;
  bytes: number;
}

const caches = new WeakMap<pg.ClientBase, Cache>();

/**
 * Runs a statement as a named prepared statement of this connection, within a budget of SQL text per connection.
 * Why: a MERGE over a 200-column part table is ~80 kB of SQL; parsing and analysing it took ~9 ms of a 12 ms
 * one-row apply and planning ~2 ms, and a ship's commits repeat the same statement (columns are listed in name
 * order, so the same column set gives the same text). The cost: PostgreSQL keeps each prepared statement's
 * parse tree and plan in the session, ~70–140× its text (measured: 5.8–6.5 MiB for a 200-column MERGE, 25 MiB
 * for 850 columns; ~1 MiB for the 7.5 kB new-rows INSERT of 200 columns), so the budget
 * (`PIVOT_PREPARED_CACHE_BYTES`, default 2 MiB ≈ 190–290 MiB of server memory per connection at most; idle pool
 * connections close and free theirs) evicts the least recently used statements.
 * A statement larger than the whole budget, or a budget of 0, runs unprepared.
 */
export async function queryPrepared(c: pg.ClientBase, st: Statement, budgetBytes = DEFAULT_PREPARED_BYTES): Promise<pg.QueryResult> {
  const size = st.text.length;
  if (size > budgetBytes) return c.query(st.text, st.values);
  const name = `fp_${createHash('sha1').update(st.text).digest('base64url').slice(0, 24)}`;
  let cache = caches.get(c);
  if (!cache) caches.set(c, (cache = { names: new Map(), bytes: 0 }));
  if (cache.names.has(name)) cache.names.delete(name);
  else {
    while (cache.bytes + size > budgetBytes) await evictOldest(c, cache);
    cache.bytes += size;
  }
  cache.names.set(name, size);
  return c.query({ name, text: st.text, values: st.values });
}

async function evictOldest(c: pg.ClientBase, cache: Cache): Promise<void> {
  const [oldest, size] = cache.names.entries().next().value!;
  cache.names.delete(oldest);
  cache.bytes -= size;
  // node-postgres remembers what it parsed on the connection (a statement whose Parse failed is not there):
  // deallocate only what exists, and forget it there too, or it would skip the Parse next time.
  const parsed = (c as unknown as { connection?: { parsedStatements?: Record<string, string> } }).connection?.parsedStatements;
  if (parsed?.[oldest] !== undefined) {
    await c.query(`DEALLOCATE ${quoteIdent(oldest)}`);
    delete parsed[oldest];
  }
}
