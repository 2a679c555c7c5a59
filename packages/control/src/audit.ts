import type pg from 'pg';
import { FLEETPIVOT_SCHEMA, quoteIdent, runMigrations } from '@fleetpivot/pgkit';
import { controlMigrations } from './migrations.ts';

export interface AuditEntry {
  /** Who: the OS user or the service account that ran the command. */
  actor: string;
  /** What: pause, resume, rollback, backfill, verify, repair … */
  action: string;
  /** On what: a ship id, "all", a job id. */
  target?: string | null;
  outcome?: 'ok' | 'failed';
  details?: Record<string, unknown>;
}

export async function migrateControl(db: pg.Pool): Promise<void> {
  const client = await db.connect();
  try {
    await runMigrations(client, 'control', controlMigrations);
  } finally {
    client.release();
  }
}

/** Appends one operator action to fleetpivot.audit_log; returns its id. */
export async function recordAudit(client: pg.Pool | pg.ClientBase, entry: AuditEntry): Promise<number> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO ${quoteIdent(FLEETPIVOT_SCHEMA)}.audit_log (actor, action, target, outcome, details)
     VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [entry.actor, entry.action, entry.target ?? null, entry.outcome ?? 'ok', JSON.stringify(entry.details ?? {})],
  );
  return Number(rows[0]!.id);
}

export interface AuditRow {
  id: number;
  at: Date;
  actor: string;
  action: string;
  target: string | null;
  outcome: string;
  details: Record<string, unknown>;
}

export async function recentAudit(client: pg.Pool | pg.ClientBase, limit = 20): Promise<AuditRow[]> {
  const { rows } = await client.query<AuditRow & { id: string }>(
    `SELECT id, at, actor, action, target, outcome, details FROM ${quoteIdent(FLEETPIVOT_SCHEMA)}.audit_log ORDER BY id DESC LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}
