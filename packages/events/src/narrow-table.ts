/**
 * The narrow table's columns in the order fleetpivot's binary reads select them, each cast to the type their
 * decoders expect, so a deployment whose table uses e.g. `timestamp` or `real` still reads right: the backfill's
 * chunk COPYs and verify's copy of a ship across databases.
 */
export const NARROW_SELECT = [
  ['ship_id', 'text'],
  ['data_channel_id', 'text'],
  ['created_time', 'timestamptz'],
  ['value_format', 'text'],
  ['double_v', 'float8'],
  ['long_v', 'int8'],
  ['str_v', 'text'],
  ['bool_v', 'bool'],
] as const;
