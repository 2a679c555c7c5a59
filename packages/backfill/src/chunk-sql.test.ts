import { describe, expect, it } from 'vitest';
import { chunkCopySql, chunkWhereSql, shipChannelsSql } from './chunk-sql.ts';
import { parseTimeOption, timestampLiteralText } from './time.ts';

describe('chunk SQL', () => {
  it('quotes hostile ship ids as literals and renders exact microsecond bounds', () => {
    const sql = chunkWhereSql({ shipId: "x'); DROP TABLE t; --", fromUs: 1_714_564_800_000_001n, toUs: null, nullTime: false });
    expect(sql).toBe(`ship_id = 'x''); DROP TABLE t; --' AND created_time >= '2024-05-01 12:00:00.000001+00'::timestamptz`);
    expect(chunkWhereSql({ shipId: null, fromUs: null, toUs: null, nullTime: true })).toBe('ship_id IS NULL AND created_time IS NULL');
    // An unbounded timed chunk must leave NULL times to their own chunk, or they would be sent twice.
    expect(chunkWhereSql({ shipId: 'A', fromUs: null, toUs: null, nullTime: false })).toBe(`ship_id = 'A' AND created_time IS NOT NULL`);
    expect(chunkCopySql({ schema: 'tenant', table: 'tbl"x' }, { shipId: 'A', fromUs: null, toUs: 0n, nullTime: false })).toBe(
      `COPY (SELECT "ship_id"::text, "data_channel_id"::text, "created_time"::timestamptz, "value_format"::text, "double_v"::float8, "long_v"::int8, "str_v"::text, "bool_v"::bool FROM "tenant"."tbl""x" WHERE ship_id = 'A' AND created_time < '1970-01-01 00:00:00.000000+00'::timestamptz) TO STDOUT (FORMAT binary)`,
    );
  });

  it('names the ship\'s channels for a chunk bounded in time, each through the quoting helper', () => {
    const table = { schema: 'tenant', table: 'tbl_data_timeseries' };
    const chunk = { shipId: "S'1", fromUs: 0n, toUs: 1_000_000n, nullTime: false };
    const sql = chunkCopySql(table, chunk, ["a'b", '{x,"y"}\\', '']);
    expect(sql).toContain(`WHERE ship_id = 'S''1' AND created_time >= '1970-01-01 00:00:00.000000+00'::timestamptz AND created_time < '1970-01-01 00:00:01.000000+00'::timestamptz AND data_channel_id = ANY (`);
    expect(sql).toContain(String.raw`data_channel_id = ANY ((SELECT '{"a''b","{x,\"y\"}\\",""}'::text[])::text[])`);
    expect(sql).toContain('AND data_channel_id IS NULL) TO STDOUT (FORMAT binary)');
    // An unbounded chunk reads the ship's prefix of the index anyway: no list.
    expect(chunkCopySql(table, { ...chunk, fromUs: null, toUs: null }, ['a'])).not.toContain('ANY');
    // The NULL-time chunk: one descent per channel to its NULL times, and the rows without a channel.
    const nullTime = chunkCopySql(table, { ...chunk, fromUs: null, toUs: null, nullTime: true }, ["a'b"]);
    expect(nullTime).toContain(`WHERE ship_id = 'S''1' AND created_time IS NULL AND data_channel_id = ANY ((SELECT '{"a''b"}'::text[])::text[])`);
    expect(nullTime).toContain(`WHERE ship_id = 'S''1' AND created_time IS NULL AND data_channel_id IS NULL) TO STDOUT`);
    expect(chunkCopySql(table, { ...chunk, shipId: null, fromUs: null, toUs: null, nullTime: true }, ['a'])).not.toContain('ANY');
    expect(shipChannelsSql(table, "S'1")).toContain(`WHERE ship_id = 'S''1' AND data_channel_id > w.fp_channel`);
  });

  it('renders times before 1970 and parses operator times', () => {
    expect(timestampLiteralText(-1n)).toBe('1969-12-31 23:59:59.999999+00');
    expect(parseTimeOption('2024-05-01')).toBe(1_714_521_600_000_000n);
    expect(parseTimeOption('2024-05-01T12:00:00.5Z')).toBe(1_714_564_800_500_000n);
    expect(parseTimeOption('2024-05-01 14:00:00+02:00')).toBe(1_714_564_800_000_000n);
    expect(() => parseTimeOption('yesterday')).toThrow(/unreadable/);
  });
});
