import type { Migration } from '@fleetpivot/pgkit';

/** fleetpivot's backfill records (component 'backfill', schema fleetpivot, applied by runMigrations). */
export const backfillMigrations: readonly Migration[] = [
  {
    version: 1,
    description: 'backfill jobs and chunks',
    sql: `
      CREATE TABLE backfill_jobs (
        id           bigserial PRIMARY KEY,
        source_table text NOT NULL,
        -- {"ships": [...] | null, "from": text | null, "to": text | null}: a rerun with the same scope resumes
        scope        jsonb NOT NULL,
        status       text NOT NULL CHECK (status IN ('running', 'done', 'failed')),
        rows_total   bigint NOT NULL,            -- estimate at planning (rows in scope then)
        rows_done    bigint NOT NULL DEFAULT 0,  -- rows of chunks done (acknowledged by Kafka)
        chunks_total int NOT NULL,
        retries      int NOT NULL DEFAULT 0,     -- times the job was resumed
        error        text,
        options      jsonb NOT NULL DEFAULT '{}',
        created_at   timestamptz NOT NULL DEFAULT now(),
        started_at   timestamptz NOT NULL DEFAULT now(),
        finished_at  timestamptz,
        updated_at   timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX backfill_jobs_scope ON backfill_jobs (source_table, created_at DESC);
      CREATE TABLE backfill_chunks (
        job_id        bigint NOT NULL REFERENCES backfill_jobs (id) ON DELETE CASCADE,
        id            int NOT NULL,              -- order of work within the job
        ship_id       text,                      -- NULL: the rows whose ship_id is NULL
        time_from     timestamptz,               -- NULL: unbounded below (includes -infinity)
        time_to       timestamptz,               -- NULL: unbounded above (includes infinity); half-open
        null_time     boolean NOT NULL DEFAULT false, -- the chunk of rows whose created_time is NULL
        rows_estimate bigint NOT NULL,
        status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
        rows          bigint,                    -- rows produced and acknowledged (set when done)
        attempts      int NOT NULL DEFAULT 0,
        error         text,
        snapshot_lsn  pg_lsn,                    -- WAL position of the read snapshot of the last attempt
        started_at    timestamptz,
        finished_at   timestamptz,
        PRIMARY KEY (job_id, id)
      );
      CREATE INDEX backfill_chunks_pending ON backfill_chunks (job_id, id) WHERE status <> 'done';
    `,
  },
];
