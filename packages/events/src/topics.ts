/** The narrow table fleetpivot reads; a deployment may name another with the same columns. */
export interface SourceTable {
  schema: string;
  table: string;
}

export const DEFAULT_SOURCE_TABLE: SourceTable = { schema: 'tenant', table: 'tbl_data_timeseries' };

/** `<prefix>.<schema>.<table>`, Debezium's convention, so tooling that knows it finds the topic. */
export function changeTopic(prefix: string, source: SourceTable = DEFAULT_SOURCE_TABLE): string {
  return `${prefix}.${source.schema}.${source.table}`;
}

/** Where the pivot parks messages it cannot apply, with the reason in headers. */
export function deadLetterTopic(prefix: string, source: SourceTable = DEFAULT_SOURCE_TABLE): string {
  return `${changeTopic(prefix, source)}.dlq`;
}

/** The Kafka key of a ship's messages: its id as UTF-8 (a NULL ship id gets the empty key). */
export function shipKey(shipId: string | null): Buffer {
  return Buffer.from(shipId ?? '', 'utf8');
}
