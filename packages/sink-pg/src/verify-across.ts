import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { NARROW_SELECT } from '@fleetpivot/events';
import { quoteIdent, quoteLiteral, quoteQualified } from '@fleetpivot/pgkit';
import { verifyShip, type NarrowSource, type VerifyResult } from './verify.ts';

/** Where a ship's narrow rows are copied on the target: a temporary table, dropped when the comparison's transaction ends. */
const COPIED: NarrowSource = { schema: 'pg_temp', table: 'fleetpivot_verify_narrow' };

/**
 * verifyShip for a narrow table in another database than the wide tables. The ship's narrow rows travel by binary
 * COPY into a temporary table on a target connection, and the same comparison runs there: "matches" has one
 * definition however the databases are laid out. The copy is what the source holds when it is read, so, as for
 * verifyShip, the answer is exact once writers have stopped and the pivot has caught up. Holds a connection of each
 * pool at once (one pool for both needs room for two).
 */
export async function verifyShipAcross(source: pg.Pool, target: pg.Pool, narrow: NarrowSource, shipId: string, sampleSize?: number): Promise<VerifyResult> {
  const from = await source.connect();
  let into: pg.PoolClient | undefined;
  let broken: Error | undefined;
  try {
    into = await target.connect();
    await into.query('BEGIN');
    await into.query(`CREATE TEMP TABLE ${quoteIdent(COPIED.table)} (${NARROW_SELECT.map(([c, t]) => `${quoteIdent(c)} ${t}`).join(', ')}) ON COMMIT DROP`);
    const columns = NARROW_SELECT.map(([c, t]) => `${quoteIdent(c)}::${t}`).join(', ');
    await pipeline(
      from.query(copyTo(`COPY (SELECT ${columns} FROM ${quoteQualified(narrow.schema, narrow.table)} WHERE ship_id = ${quoteLiteral(shipId)}) TO STDOUT (FORMAT binary)`)),
      into.query(copyFrom(`COPY ${quoteQualified(COPIED.schema, COPIED.table)} FROM STDIN (FORMAT binary)`)),
    );
    const result = await verifyShip(into, COPIED, shipId, sampleSize);
    await into.query('COMMIT');
    return result;
  } catch (err) {
    broken = err instanceof Error ? err : new Error(String(err));
    throw err;
  } finally {
    // A connection that failed mid-COPY or mid-transaction is destroyed, not handed to the next caller.
    from.release(broken);
    into?.release(broken);
  }
}

/** Every ship in the source's narrow table or the target's catalog, each compared with verifyShipAcross. */
export async function verifyAllAcross(source: pg.Pool, target: pg.Pool, narrow: NarrowSource): Promise<VerifyResult[]> {
  const out: VerifyResult[] = [];
  for (const shipId of await shipsAcross(source, target, narrow)) out.push(await verifyShipAcross(source, target, narrow, shipId));
  return out;
}

/** The ships of the narrow table (source) and of the wide tables' catalog (target), sorted, each once. */
export async function shipsAcross(source: pg.Pool, target: pg.Pool, narrow: NarrowSource): Promise<string[]> {
  const [narrowShips, wideShips] = await Promise.all([
    source.query<{ ship_id: string }>(`SELECT DISTINCT ship_id FROM ${quoteQualified(narrow.schema, narrow.table)} WHERE ship_id IS NOT NULL`),
    target.query<{ ship_id: string }>('SELECT DISTINCT ship_id FROM fleetpivot.ship_tables'),
  ]);
  return [...new Set([...narrowShips.rows, ...wideShips.rows].map((r) => r.ship_id))].sort();
}
