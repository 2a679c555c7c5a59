import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { crc32cOfPieces } from './crc32c.ts';
import { installRope, ROPE_MIN_BYTES, type EncoderClass, type KafkajsEncoder } from './kafkajs-encoder-rope.ts';
import { ropedRecordBatch, type KafkajsLong, type RecordBatchFn } from './kafkajs-record-batch-rope.ts';

// kafkajs as shipped (its own Encoder, RecordBatch and Record) against the patched set (the rope Encoder and
// the RecordBatch without joins): the same random batches must give the same bytes.
const require = createRequire(import.meta.url);
const FILES = ['kafkajs/src/protocol/encoder.js', 'kafkajs/src/protocol/recordBatch/v0/index.js', 'kafkajs/src/protocol/recordBatch/record/v0/index.js'].map((f) => require.resolve(f));
const Long = require('kafkajs/src/utils/long.js') as KafkajsLong;
const kafkajsCrc = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (b: Buffer) => number;

type RecordFn = (o: { offsetDelta: number; timestampDelta: number; key: Buffer | null; value: Buffer | null; headers: Record<string, string> }) => KafkajsEncoder;
interface Kafkajs {
  RecordBatch: RecordBatchFn;
  Record: RecordFn;
}

function freshKafkajs(patch: boolean): Kafkajs {
  for (const f of FILES) delete require.cache[f];
  const Encoder = require(FILES[0]!) as EncoderClass;
  if (patch) installRope(Encoder);
  const mod = require(FILES[1]!) as { RecordBatch: RecordBatchFn; MAGIC_BYTE: number };
  const Record = require(FILES[2]!) as RecordFn;
  const RecordBatch = patch ? ropedRecordBatch(Encoder as unknown as Parameters<typeof ropedRecordBatch>[0], Long, mod.MAGIC_BYTE, mod.RecordBatch) : mod.RecordBatch;
  return { RecordBatch, Record };
}
const pristine = freshKafkajs(false);
const patched = freshKafkajs(true);
for (const f of FILES) delete require.cache[f];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

function bytes(r: () => number): Buffer | null {
  const pick = r();
  if (pick < 0.05) return null;
  const n = pick < 0.5 ? Math.floor(r() * 200) : ROPE_MIN_BYTES + Math.floor(r() * 4 * ROPE_MIN_BYTES);
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  return b;
}

async function batchBytes(k: Kafkajs, seed: number, compression: number): Promise<Buffer> {
  const r = rng(seed);
  const n = 1 + Math.floor(r() * 12);
  const records = Array.from({ length: n }, (_, i) =>
    k.Record({ offsetDelta: i, timestampDelta: Math.floor(r() * 5000), key: bytes(r), value: bytes(r), headers: r() < 0.5 ? { 'x-schema-version': String(Math.floor(r() * 9)) } : {} }),
  );
  const encoder = await k.RecordBatch({
    compression,
    records,
    firstTimestamp: 1_700_000_000_000 + Math.floor(r() * 1e9),
    maxTimestamp: 1_800_000_000_000,
    producerId: Long.fromValue(Math.floor(r() * 1e6)),
    producerEpoch: Math.floor(r() * 30),
    firstSequence: Math.floor(r() * 1e6),
    transactional: r() < 0.3,
    lastOffsetDelta: n - 1,
    ...(r() < 0.5 ? { partitionLeaderEpoch: Math.floor(r() * 100) } : {}),
  });
  return Buffer.from(encoder.buffer);
}

describe('RecordBatch without joins', () => {
  it('writes the bytes kafkajs writes, on 200 random batches', async () => {
    for (let seed = 1; seed <= 200; seed++) {
      const want = await batchBytes(pristine, seed, 0);
      const got = await batchBytes(patched, seed, 0);
      expect(got.equals(want), `seed ${seed}`).toBe(true);
    }
  });

  it('leaves compressed batches to kafkajs (gzip), same bytes', async () => {
    for (let seed = 1; seed <= 10; seed++) {
      const want = await batchBytes(pristine, seed, 1);
      const got = await batchBytes(patched, seed, 1);
      // gzip output embeds no time here (kafkajs uses zlib.gzip), so the bytes are comparable.
      expect(got.equals(want), `seed ${seed}`).toBe(true);
    }
  });
});

describe('crc32cOfPieces', () => {
  it('equals kafkajs CRC-32C of the joined bytes, however they are cut', () => {
    const r = rng(99);
    for (let t = 0; t < 100; t++) {
      const all = Buffer.from(Array.from({ length: Math.floor(r() * 5000) }, () => Math.floor(r() * 256)));
      const pieces: Buffer[] = [];
      for (let at = 0; at < all.length; ) {
        const n = Math.floor(r() * 700);
        pieces.push(all.subarray(at, at + n));
        at += n;
      }
      expect(crc32cOfPieces(pieces)).toBe(kafkajsCrc(all));
    }
    // The standard check value of CRC-32C.
    expect(crc32cOfPieces([Buffer.from('123456789')])).toBe(0xe3069283);
  });
});
