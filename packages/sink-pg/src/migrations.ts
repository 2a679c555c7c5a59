import type { Migration } from '@fleetpivot/pgkit';

/** The component name under which these migrations are recorded in fleetpivot.schema_migrations. */
export const SINK_COMPONENT = 'sink-pg';

/**
 * fleetpivot's own tables for the pivot (run in schema `fleetpivot`, search_path set by runMigrations).
 * ship_tables and channel_columns are the public catalog users query to find a channel's table and column.
 */
export const SINK_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'catalog, applied offsets, tombstones, dead letters, pauses',
    sql: `
CREATE TABLE ship_tables (
  ship_id      text NOT NULL,
  part         int  NOT NULL CHECK (part >= 1),
  table_schema text NOT NULL,
  table_name   text NOT NULL,
  column_mode  text NOT NULL CHECK (column_mode IN ('typed', 'text')),
  column_count int  NOT NULL DEFAULT 0,
  byte_budget_used int NOT NULL DEFAULT 0,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (ship_id, part),
  UNIQUE (table_schema, table_name)
);
COMMENT ON TABLE ship_tables IS 'Wide tables of each ship: part 1 is tbl_data_timeseries_<ship>; a ship with many channels has more parts, joined on created_time.';

CREATE TABLE channel_columns (
  ship_id         text NOT NULL,
  data_channel_id text NOT NULL,
  part            int  NOT NULL,
  table_schema    text NOT NULL,
  table_name      text NOT NULL,
  column_name     text NOT NULL,
  column_type     text NOT NULL,
  value_format    text NOT NULL,
  overflow_count  bigint NOT NULL DEFAULT 0,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (ship_id, data_channel_id),
  UNIQUE (table_schema, table_name, column_name),
  FOREIGN KEY (ship_id, part) REFERENCES ship_tables (ship_id, part)
);
COMMENT ON TABLE channel_columns IS 'Where each channel lives: table + column + type. value_format is the format first seen; values of other formats that do not convert losslessly are in the part''s _overflow jsonb, counted in overflow_count.';

CREATE TABLE applied_offsets (
  consumer_group text NOT NULL,
  topic          text NOT NULL,
  kafka_partition int NOT NULL,
  applied_offset bigint NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer_group, topic, kafka_partition)
);

CREATE TABLE cell_tombstones (
  ship_id         text NOT NULL,
  data_channel_id text NOT NULL,
  created_time    timestamptz NOT NULL,
  deleted_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (ship_id, data_channel_id, created_time)
);
COMMENT ON TABLE cell_tombstones IS 'Cells deleted live: a backfill value never refills them (live wins). Safe to prune once no backfill job is running.';

CREATE TABLE dead_letters (
  id              bigserial PRIMARY KEY,
  consumer_group  text NOT NULL,
  topic           text NOT NULL,
  kafka_partition int NOT NULL,
  kafka_offset    bigint NOT NULL,
  change_index    int,
  ship_id         text,
  source_lsn      text,
  reason          text NOT NULL,
  detail          text NOT NULL,
  change          jsonb,
  parked_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dead_letters_position ON dead_letters (topic, kafka_partition, kafka_offset);

CREATE TABLE consumer_pauses (
  all_ships  boolean NOT NULL,
  ship_id    text NOT NULL DEFAULT '',
  reason     text NOT NULL DEFAULT '',
  paused_by  text NOT NULL DEFAULT current_user,
  paused_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (all_ships, ship_id),
  CHECK (NOT all_ships OR ship_id = '')
);
COMMENT ON TABLE consumer_pauses IS 'A row with all_ships pauses every ship, otherwise the named ship. Pivot consumers poll it about once a second.';
`,
  },
  {
    version: 2,
    description: 'tombstones by ship and time: one range read per batch finds every tombstone it can touch',
    sql: 'CREATE INDEX IF NOT EXISTS cell_tombstones_ship_time ON cell_tombstones (ship_id, created_time)',
  },
  {
    version: 3,
    description: 'tombstones by age: the pruner deletes those older than its mark in small batches',
    sql: `CREATE INDEX IF NOT EXISTS cell_tombstones_deleted_at ON cell_tombstones (deleted_at);
COMMENT ON TABLE cell_tombstones IS 'Cells cleared live: a backfill value never refills them (live wins). The pivot prunes them once no backfill value older than them can still arrive (docs/backfill.md, "Pruning tombstones").';`,
  },
  {
    version: 4,
    description: 'backfill fences: a rolled-back ship ignores the backfill jobs that existed before its rollback',
    sql: `CREATE TABLE IF NOT EXISTS ship_fences (
  ship_id            text PRIMARY KEY,
  backfill_job_fence bigint NOT NULL,
  fenced_at          timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE ship_fences IS 'Written by a rollback: the pivot drops the ship''s backfill messages of jobs with id <= backfill_job_fence (docs/operations.md §6).';`,
  },
];
