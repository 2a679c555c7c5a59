import type { Schema } from 'avsc';

/**
 * Writer schemas by version. Rules (checked by schemas.test.ts with avsc resolvers):
 * - a new version may only add fields with defaults, or add union branches / enum symbols at the end;
 * - fields are never removed or renamed (add a new field, leave the old one);
 * - every version stays readable by the newest reader, and the newest data by the previous reader.
 */
const nullable = (type: Schema): Schema => ['null', type] as Schema;

export const changeBatchV1: Schema = {
  type: 'record',
  name: 'ChangeBatch',
  namespace: 'dev.fleetpivot.events',
  doc: 'Changes of one ship from one source transaction or backfill chunk slice, in commit order.',
  fields: [
    { name: 'ship_id', type: nullable('string'), default: null },
    {
      name: 'source',
      type: {
        type: 'record',
        name: 'Source',
        fields: [
          { name: 'kind', type: { type: 'enum', name: 'SourceKind', symbols: ['LIVE', 'BACKFILL'] } },
          { name: 'lsn', type: 'string', doc: 'commit LSN, or the backfill snapshot LSN' },
          { name: 'commit_time_us', type: 'long', doc: 'microseconds since the Unix epoch' },
          { name: 'xid', type: nullable('long'), default: null },
          { name: 'job_id', type: nullable('string'), default: null },
          { name: 'chunk_id', type: nullable('string'), default: null },
        ],
      },
    },
    {
      name: 'changes',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'Change',
          fields: [
            { name: 'op', type: { type: 'enum', name: 'Op', symbols: ['INSERT', 'UPDATE', 'DELETE', 'BACKFILL', 'TRUNCATE'] } },
            { name: 'data_channel_id', type: nullable('string'), default: null },
            { name: 'created_time_us', type: nullable('long'), default: null, doc: 'microseconds since the Unix epoch' },
            { name: 'value_format', type: nullable('string'), default: null },
            { name: 'double_v', type: nullable('double'), default: null },
            { name: 'long_v', type: nullable('long'), default: null },
            { name: 'str_v', type: nullable('string'), default: null },
            { name: 'bool_v', type: nullable('boolean'), default: null },
            {
              name: 'old',
              default: null,
              type: nullable({
                type: 'record',
                name: 'OldKey',
                fields: [
                  { name: 'ship_id', type: nullable('string'), default: null },
                  { name: 'data_channel_id', type: nullable('string'), default: null },
                  { name: 'created_time_us', type: nullable('long'), default: null },
                ],
              }),
            },
          ],
        },
      },
    },
  ],
};

/**
 * Version 2 adds `fills`: BACKFILL cells in columnar form (docs/architecture.md, "The event contract"). A history replay is millions of
 * cells of a few hundred channels at a few thousand times; one record per cell repeats the channel id and the
 * format in every cell and costs Avro, CRC and Map work per cell on both sides. The block names each channel
 * once, each time once, and packs the values, so a cell costs about its value's bytes.
 */
export const fillBlockSchema: Schema = {
  type: 'record',
  name: 'FillBlock',
  doc: 'BACKFILL cells of this ship in columnar form. Cell (column c, time i) exists when bit i of c.present is set.',
  fields: [
    { name: 'times_us', type: 'bytes', doc: 'distinct created_time values, int64 big-endian microseconds since the Unix epoch, strictly ascending' },
    {
      name: 'columns',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'FillColumn',
          fields: [
            { name: 'data_channel_id', type: 'string' },
            { name: 'value_format', type: { type: 'enum', name: 'ValueFormat', symbols: ['Decimal', 'Integer', 'String', 'Boolean'] } },
            { name: 'present', type: 'bytes', doc: 'bitmap over times_us, least significant bit first: bit i is byte i >> 3, mask 1 << (i & 7)' },
            { name: 'values', type: 'bytes', doc: 'the present cells in time order: Decimal float64 big-endian, Integer int64 big-endian, Boolean one byte 0/1; empty for String' },
            { name: 'strings', type: { type: 'array', items: 'string' }, default: [], doc: 'String: the present cells in time order' },
          ],
        },
      },
    },
  ],
};

const v1Fields = (changeBatchV1 as { fields: object[] }).fields;
export const changeBatchV2: Schema = {
  ...(changeBatchV1 as object),
  fields: [...v1Fields, { name: 'fills', type: ['null', fillBlockSchema], default: null, doc: 'backfill cells in columnar form, applied like BACKFILL changes' }],
} as Schema;

export const SCHEMA_VERSIONS: Readonly<Record<number, Schema>> = { 1: changeBatchV1, 2: changeBatchV2 };
export const CURRENT_SCHEMA_VERSION = 2;
