import type pg from 'pg';

export interface PartitionRef {
  group: string;
  topic: string;
  partition: number;
}

/** The last applied Kafka offset of a partition (-1 when nothing was applied yet). */
export async function readAppliedOffset(db: pg.ClientBase | pg.Pool, p: PartitionRef, forUpdate = false): Promise<bigint> {
  const r = await db.query<{ applied_offset: string }>(
    `SELECT applied_offset FROM fleetpivot.applied_offsets WHERE consumer_group = $1 AND topic = $2 AND kafka_partition = $3${forUpdate ? ' FOR UPDATE' : ''}`,
    [p.group, p.topic, p.partition],
  );
  return r.rows[0] ? BigInt(r.rows[0].applied_offset) : -1n;
}

/** Inside the apply transaction: makes the row exist, then locks it (serialising zombie consumers after a rebalance). */
export async function lockAppliedOffset(c: pg.ClientBase, p: PartitionRef): Promise<bigint> {
  await c.query(
    'INSERT INTO fleetpivot.applied_offsets (consumer_group, topic, kafka_partition, applied_offset) VALUES ($1, $2, $3, -1) ON CONFLICT DO NOTHING',
    [p.group, p.topic, p.partition],
  );
  return readAppliedOffset(c, p, true);
}

export async function writeAppliedOffset(c: pg.ClientBase, p: PartitionRef, offset: bigint): Promise<void> {
  await c.query('UPDATE fleetpivot.applied_offsets SET applied_offset = $4, updated_at = now() WHERE consumer_group = $1 AND topic = $2 AND kafka_partition = $3', [
    p.group,
    p.topic,
    p.partition,
    offset.toString(),
  ]);
}
