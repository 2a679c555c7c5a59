import { afterAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, createTestTopic, testTransport, uniqueName, type TestDatabase } from '@fleetpivot/testing';

const stack = inject('stack');
let db: TestDatabase;
afterAll(async () => db?.drop());

describe('the test stack', () => {
  it('gives a PostgreSQL with logical decoding and a fresh database per test', async () => {
    db = await createTestDatabase(stack, 'stack');
    const { rows } = await db.pool.query<{ wal_level: string }>('SHOW wal_level');
    expect(rows[0]!.wal_level).toBe('logical');
    const { rows: slots } = await db.pool.query<{ lsn: string }>(
      "SELECT lsn::text FROM pg_create_logical_replication_slot($1, 'pgoutput')",
      [uniqueName('slot')],
    );
    expect(slots[0]!.lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
  });

  it('gives a Kafka broker that round-trips messages through our transport', async () => {
    const topic = await createTestTopic(stack, { partitions: 2 });
    const transport = testTransport(stack);
    const producer = await transport.producer();
    await producer.send(topic.topic, [
      { key: Buffer.from('IMO9074729'), value: Buffer.from('one') },
      { key: Buffer.from('IMO9074729'), value: Buffer.from('two') },
    ]);
    await producer.close();
    const consumer = await transport.consumer({ groupId: uniqueName('g') });
    await consumer.subscribe([topic.topic], true);
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachBatch: async (batch) => {
            for (const m of batch.messages) seen.push(m.value!.toString());
            if (seen.length >= 2) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.close();
    expect(seen).toEqual(['one', 'two']);
    await topic.delete();
  });
});
