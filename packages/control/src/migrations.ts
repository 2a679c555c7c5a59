import type { Migration } from '@fleetpivot/pgkit';

export const controlMigrations: readonly Migration[] = [
  {
    version: 1,
    description: 'audit log of operator actions',
    sql: `CREATE TABLE IF NOT EXISTS audit_log (
      id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      at         timestamptz NOT NULL DEFAULT now(),
      actor      text NOT NULL,
      action     text NOT NULL,
      target     text,
      outcome    text NOT NULL DEFAULT 'ok',
      details    jsonb NOT NULL DEFAULT '{}'::jsonb
    );
    CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at DESC);`,
  },
];
