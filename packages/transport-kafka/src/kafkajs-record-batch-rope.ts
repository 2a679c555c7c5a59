import { createRequire } from 'node:module';
import { crc32cOfPieces } from './crc32c.ts';
import { piecesOf, type KafkajsEncoder } from './kafkajs-encoder-rope.ts';

/**
 * kafkajs's RecordBatch (protocol/recordBatch/v0, the produce request's record set) joins the batch body into
 * one buffer for its CRC, then the whole batch again to write it as length-prefixed bytes. With the encoder rope
 * (kafkajs-encoder-rope.ts) those were two of the three copies left of every produced value, 14.5 MiB per 1M
 * backfilled rows at 100 channels, garbage that lives until a full collection. This RecordBatch writes the same
 * bytes without them: the CRC-32C is computed over the body's pieces and the batch is nested by reference
 * behind its length (kafkajs's writeBytes writes exactly that). Compressed batches go to kafkajs's own.
 * The bytes are compared with kafkajs's on random batches (kafkajs-record-batch-rope.test.ts).
 */

/** The parts of kafkajs's Encoder used here. */
interface Encoder extends KafkajsEncoder {
  writeInt8(v: number): Encoder;
  writeInt16(v: number): Encoder;
  writeInt32(v: number): Encoder;
  writeUInt32(v: number): Encoder;
  writeInt64(v: unknown): Encoder;
  writeArray(v: unknown[], type?: string): Encoder;
  writeEncoder(v: KafkajsEncoder): Encoder;
}
type EncoderConstructor = new () => Encoder;
/** The parts of kafkajs's Long (utils/long.js) used here. */
export interface KafkajsLong {
  fromInt(n: number): unknown;
  fromValue(n: number): unknown;
}

export interface RecordBatchOptions {
  compression?: number;
  firstOffset?: unknown;
  firstTimestamp?: number;
  maxTimestamp?: number;
  partitionLeaderEpoch?: number;
  lastOffsetDelta?: number;
  transactional?: boolean;
  producerId?: unknown;
  producerEpoch?: number;
  firstSequence?: number;
  records?: KafkajsEncoder[];
}
export type RecordBatchFn = (options: RecordBatchOptions) => Promise<KafkajsEncoder>;

interface RecordBatchModule {
  RecordBatch: RecordBatchFn;
  MAGIC_BYTE: number;
}

const INSTALLED = Symbol.for('fleetpivot.kafkajs-record-batch-rope');
const NONE = 0; // kafkajs message/compression Types.None
const TRANSACTIONAL_MASK = 16;

/** kafkajs's RecordBatch for uncompressed batches, same bytes, no joins; others go to `original`. */
export function ropedRecordBatch(Encoder: EncoderConstructor, Long: KafkajsLong, magicByte: number, original: RecordBatchFn): RecordBatchFn {
  return async (o) => {
    const compression = o.compression ?? NONE;
    if (compression !== NONE) return original(o);
    const records = o.records ?? [];
    const now = Date.now();
    const batchBody = new Encoder()
      .writeInt16(o.transactional ? TRANSACTIONAL_MASK : 0) // attributes: no codec, create time, transactional bit
      .writeInt32(o.lastOffsetDelta ?? 0)
      .writeInt64(o.firstTimestamp ?? now)
      .writeInt64(o.maxTimestamp ?? now)
      .writeInt64(o.producerId ?? Long.fromValue(-1))
      .writeInt16(o.producerEpoch ?? 0)
      .writeInt32(o.firstSequence ?? 0);
    if (records.every((v) => typeof v === typeof records[0])) batchBody.writeArray(records, typeof records[0]);
    else batchBody.writeArray(records);
    const batch = new Encoder()
      .writeInt32(o.partitionLeaderEpoch ?? 0)
      .writeInt8(magicByte)
      .writeUInt32(crc32cOfPieces(piecesOf(batchBody)))
      .writeEncoder(batchBody);
    return new Encoder()
      .writeInt64(o.firstOffset ?? Long.fromInt(0))
      .writeInt32(batch.size())
      .writeEncoder(batch);
  };
}

/**
 * Replaces kafkajs's RecordBatch in its module's exports. The produce request (produce/v3/request.js, which
 * v4–v7 reuse) reads it from there once, when it is first loaded (lazily, on the first produce): false when that
 * already happened, and kafkajs keeps its own (same bytes, more copies).
 */
export function installKafkajsRecordBatchRope(): boolean {
  const require = createRequire(import.meta.url);
  const mod = require('kafkajs/src/protocol/recordBatch/v0/index.js') as RecordBatchModule & Record<symbol, unknown>;
  if (mod[INSTALLED]) return true;
  if (require.cache[require.resolve('kafkajs/src/protocol/requests/produce/v3/request.js')]) return false;
  mod[INSTALLED] = true;
  const Encoder = require('kafkajs/src/protocol/encoder.js') as EncoderConstructor;
  const Long = require('kafkajs/src/utils/long.js') as KafkajsLong;
  mod.RecordBatch = ropedRecordBatch(Encoder, Long, mod.MAGIC_BYTE, mod.RecordBatch);
  return true;
}
