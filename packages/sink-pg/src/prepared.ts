import { createHash } from 'node:crypto';
import type pg from 'pg';
import { quoteIdent } from '@fleetpivot/pgkit';

/** Named statements kept per connection; the least recently used is deallocated beyond this. */
export const PREPARED_PER_CONNECTION = 256;

interface Statement {
  text: string;
  values: unknown[];
}

// Per connection, names in least-recently-used order (a Map iterates in insertion order).
const preparedOn = new WeakMap<pg.ClientBase, Map<string, true>>();

/**
 * Runs a statement as a named prepared statement of this connection. A MERGE over a 200-column part table is
 * ~80 kB of SQL: parsing and analysing it took ~9 ms of a 12 ms one-row apply, planning ~2 ms. The same ship and
 * column set recur batch after batch (live commits of a ship touch the same channels; backfill blocks carry all of
 * them), so preparing once per connection leaves Bind/Execute, and PostgreSQL moves to a generic plan after five
 * executions. Bounded per connection: the least recently used statement is deallocated.
 */
export async function queryPrepared(c: pg.ClientBase, st: Statement): Promise<pg.QueryResult> {
  const name = `fp_${createHash('sha1').update(st.text).digest('base64url').slice(0, 24)}`;
  let names = preparedOn.get(c);
  if (!names) preparedOn.set(c, (names = new Map()));
  if (names.has(name)) names.delete(name);
  else if (names.size >= PREPARED_PER_CONNECTION) {
    const oldest = names.keys().next().value!;
    names.delete(oldest);
    // node-postgres remembers what it parsed on the connection (a statement whose Parse failed is not there):
    // deallocate only what exists, and forget it there too, or it would skip the Parse next time.
    const parsed = (c as unknown as { connection?: { parsedStatements?: Record<string, string> } }).connection?.parsedStatements;
    if (parsed?.[oldest] !== undefined) {
      await c.query(`DEALLOCATE ${quoteIdent(oldest)}`);
      delete parsed[oldest];
    }
  }
  names.set(name, true);
  return c.query({ name, text: st.text, values: st.values });
}
