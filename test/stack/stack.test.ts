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

  it("bounds a consumer's fetches by its byte limits (the pivot's buffered bytes)", async () => {
    const topic = await createTestTopic(stack, { partitions: 1 });
    const transport = testTransport(stack);
    const producer = await transport.producer();
    // One send per message: each is a record batch of its own, the unit a broker returns whole.
    for (let i = 0; i < 12; i++) await producer.send(topic.topic, [{ key: Buffer.from('IMO9074729'), value: Buffer.alloc(64 * 1024, i) }]);
    await producer.close();
    const batchSizes = async (limits: { maxBytes?: number; maxBytesPerPartition?: number }): Promise<number[]> => {
      const consumer = await transport.consumer({ groupId: uniqueName('g'), ...limits });
      await consumer.subscribe([topic.topic], true);
      const sizes: number[] = [];
      let seen = 0;
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            eachBatch: async (batch) => {
              sizes.push(batch.messages.length);
              for (const m of batch.messages) expect(m.value![0]).toBe(seen++ % 256);
              if (seen >= 12) resolve();
            },
          })
          .catch(reject);
      });
      await consumer.close();
      return sizes;
    };
    // 100 kB admits one 64 KiB batch per fetch (a broker always returns the first batch, even above the limit).
    const bounded = await batchSizes({ maxBytes: 100_000 });
    expect(bounded.reduce((a, b) => a + b, 0)).toBe(12);
    expect(Math.max(...bounded)).toBe(1);
    const perPartition = await batchSizes({ maxBytesPerPartition: 200_000 });
    expect(Math.max(...perPartition)).toBeLessThanOrEqual(3);
    const unbounded = await batchSizes({});
    expect(Math.max(...unbounded)).toBeGreaterThan(3);
    await topic.delete();
  });
});
