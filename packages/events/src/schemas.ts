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

export const SCHEMA_VERSIONS: Readonly<Record<number, Schema>> = { 1: changeBatchV1 };
export const CURRENT_SCHEMA_VERSION = 1;
