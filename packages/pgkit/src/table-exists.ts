import type pg from 'pg';

/**
 * Whether a table (schema-qualified, as `to_regclass` reads it) exists: for readers of tables another component
 * creates by its migrations, which may not have run in this database yet.
 */
export async function tableExists(db: pg.Pool | pg.ClientBase, name: string): Promise<boolean> {
  const r = await db.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [name]);
  return r.rows[0]?.t !== null && r.rows[0]?.t !== undefined;
}
