import { ChangeBatchCodec, type Change, type ChangeBatch } from '@fleetpivot/events';
import type { Producer } from '@fleetpivot/transport-kafka';
import { describe, expect, it } from 'vitest';
import { AlternatingEncoder, createSender } from './message-sender.ts';
import type { ChunkDeps } from './produce-chunk.ts';
import { createRateLimiter } from './rate-limiter.ts';

const codec = new ChangeBatchCodec();

/** A batch of `n` changes whose string values make its size grow with n. */
function batch(n: number, tag: number): ChangeBatch {
  const changes: Change[] = Array.from({ length: n }, (_, i) => ({
    op: 'INSERT',
    data_channel_id: `/dnv-v2/vis-3-4a/411.1/C101.${i}/meta/qty-temperature`,
    created_time_us: 1_700_000_000_000_000 + i,
    value_format: 'String',
    double_v: null,
    long_v: null,
    str_v: `value ${tag}.${i} `.repeat(1 + (i % 7)),
    bool_v: null,
    old: null,
  }));
  return { ship_id: 'IMO9074729', source: { kind: 'BACKFILL', lsn: '0/16B3748', commit_time_us: 1, xid: null, job_id: "job", chunk_id: String(tag) }, changes, fills: null };
}

// Sizes that grow (each growth reallocates a slot), shrink and grow again.
const SIZES = [1, 5, 400, 2_000, 30, 9_000, 3, 9_500, 20_000, 0, 12];

describe('AlternatingEncoder', () => {
  it('encodes the bytes the codec encodes, and a view stays intact until the call after next', () => {
    const encoder = new AlternatingEncoder(codec);
    let previous: { view: Buffer; bytes: Buffer } | undefined;
    SIZES.forEach((n, k) => {
      const b = batch(n, k);
      const view = encoder.encode(b);
      expect(view.equals(codec.encode(b)), `message ${k}`).toBe(true);
      if (previous) expect(previous.view.equals(previous.bytes), `message ${k - 1} after ${k}`).toBe(true);
      previous = { view, bytes: Buffer.from(view) };
    });
  });
});

describe('createSender', () => {
  it('never reuses a buffer Kafka has not acknowledged yet', async () => {
    // A producer that acknowledges after a delay and checks, at that moment, that the bytes it was handed are
    // still the ones it was handed (a real client may read them until then).
    const seen: Buffer[] = [];
    const producer: Producer = {
      async send(_topic, messages) {
        const m = messages[0]!;
        const copy = Buffer.from(m.value);
        await new Promise((r) => setTimeout(r, 2));
        expect(m.value.equals(copy)).toBe(true);
        seen.push(copy);
      },
      close: async () => undefined,
    };
    const deps = { codec, producer, topic: 't', limiter: createRateLimiter(0) } as unknown as ChunkDeps;
    const sender = createSender(deps, { jobId: 'job', chunkId: 1, chunk: { shipId: 'IMO9074729' } as never });
    for (const [k, n] of SIZES.entries()) await sender.send(batch(n, k), n);
    await sender.drain();
    expect(seen.map((b) => codec.decode(b).changes.length)).toEqual(SIZES);
    expect(sender.rows).toBe(SIZES.reduce((a, b) => a + b, 0));
  });

  it('refuses a second send while one is still being handed over', async () => {
    const producer: Producer = { send: () => new Promise((r) => setTimeout(r, 5)), close: async () => undefined };
    const deps = { codec, producer, topic: 't', limiter: createRateLimiter(0) } as unknown as ChunkDeps;
    const sender = createSender(deps, { jobId: 'job', chunkId: 1, chunk: { shipId: 'IMO9074729' } as never });
    await sender.send(batch(1, 0), 1);
    const second = sender.send(batch(1, 1), 1); // waits for the first acknowledgement
    await expect(sender.send(batch(1, 2), 1)).rejects.toThrow(/before the previous send returned/);
    await second;
    await sender.drain();
  });
});

describe('encoders shared across chunks', () => {
  const ackingProducer = (fail = false): Producer => ({
    send: async () => {
      await new Promise((r) => setTimeout(r, 1));
      if (fail) throw new Error('broker said no');
    },
    close: async () => undefined,
  });
  const chunk = (id: number) => ({ jobId: 'job', chunkId: id, chunk: { shipId: 'IMO9074729' } as never });

  it('gives the encoder back once every message is acknowledged, and the next chunk takes it', async () => {
    const encoders: AlternatingEncoder[] = [];
    const deps = { codec, producer: ackingProducer(), topic: 't', limiter: createRateLimiter(0), encoders } as unknown as ChunkDeps;
    const first = createSender(deps, chunk(1));
    for (const [k, n] of SIZES.entries()) await first.send(batch(n, k), n);
    expect(encoders).toHaveLength(0); // still in use (a message may be in flight)
    await first.drain();
    expect(encoders).toHaveLength(1);
    const given = encoders[0];
    await first.drain(); // a second drain gives nothing back twice
    expect(encoders).toHaveLength(1);
    await expect(first.send(batch(1, 0), 1)).rejects.toThrow(/after drain/);
    const second = createSender(deps, chunk(2));
    expect(encoders).toHaveLength(0);
    await second.send(batch(3, 0), 3);
    await second.drain();
    expect(encoders).toEqual([given]);
  });

  it('keeps the encoder of a chunk whose produce failed (the chunk is retried with a fresh one)', async () => {
    const encoders: AlternatingEncoder[] = [];
    const deps = { codec, producer: ackingProducer(true), topic: 't', limiter: createRateLimiter(0), encoders } as unknown as ChunkDeps;
    const sender = createSender(deps, chunk(1));
    await sender.send(batch(2, 0), 2);
    await expect(sender.drain()).rejects.toThrow(/produce chunk job\/1/);
    await sender.settle();
    expect(encoders).toHaveLength(0);
  });
});
