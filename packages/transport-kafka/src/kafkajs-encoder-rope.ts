import { createRequire } from 'node:module';

/**
 * kafkajs builds a produce request as ~10 nested Encoders (record, batch body, batch, partition, topic,
 * request, size prefix), each copying the one inside into a fresh buffer grown to the next power of two: a
 * 330 kB backfill message cost 4.4 MiB of short-lived off-heap buffers, 2/3 of everything the backfill job
 * allocated, and V8 lets such garbage reach ~64 MiB before it collects — so the job's RSS depended on how long
 * it had run. kafkajs is in maintenance (2.2.4, pinned), so instead of a fork its Encoder is taught to keep
 * large pieces by reference ("rope"): a write of ≥ ROPE_MIN_BYTES and a nested encoder's pieces are appended
 * without copying; the bytes are joined only where kafkajs reads `.buffer` (the batch CRC, the batch itself
 * and the socket write), exactly sized. The bytes on the wire are the same (kafkajs-encoder-rope.test.ts).
 */
export const ROPE_MIN_BYTES = 16 * 1024;

/** The subset of kafkajs's Encoder this patch relies on (protocol/encoder.js). */
export interface KafkajsEncoder {
  buf: Buffer;
  offset: number;
  writeBufferInternal(buffer: Buffer): void;
  writeInt32(value: number): KafkajsEncoder;
  writeBytes(value: Buffer | string | null): KafkajsEncoder;
  size(): number;
  readonly buffer: Buffer;
  writeEncoder(value: KafkajsEncoder): KafkajsEncoder;
  writeEncoderArray(value: KafkajsEncoder[]): KafkajsEncoder;
}

interface Rope {
  /** Bytes before the current segment (`buf[0..offset]`), in order. */
  pieces: Buffer[];
  bytes: number;
}

const ROPE = Symbol('fleetpivot.rope');
const INSTALLED = Symbol.for('fleetpivot.kafkajs-encoder-rope');

type RopedEncoder = KafkajsEncoder & { [ROPE]?: Rope };
export type EncoderClass = { prototype: KafkajsEncoder } & Record<symbol, unknown>;

/** The encoder's bytes as pieces, without joining them (whether or not the rope is installed). */
export function piecesOf(e: RopedEncoder): Buffer[] {
  const tail = e.buf.subarray(0, e.offset);
  const rope = e[ROPE];
  return rope ? [...rope.pieces, tail] : [tail];
}

function assertEncoder(value: unknown): asserts value is RopedEncoder {
  if (value == null || !Buffer.isBuffer((value as RopedEncoder).buf)) throw new Error('value should be an instance of Encoder');
}

/** Patches an Encoder class in place (once); exported for the test, which patches a private copy. */
export function installRope(Encoder: EncoderClass): void {
  if (Encoder[INSTALLED]) return;
  Encoder[INSTALLED] = true;
  const proto = Encoder.prototype as RopedEncoder;
  const copyIn = proto.writeBufferInternal;
  const sliceOf = Object.getOwnPropertyDescriptor(proto, 'buffer')!.get!;

  proto.writeBufferInternal = function (this: RopedEncoder, buffer: Buffer): void {
    if (buffer.length < ROPE_MIN_BYTES) return copyIn.call(this, buffer);
    const rope = (this[ROPE] ??= { pieces: [], bytes: 0 });
    if (this.offset > 0) {
      // What was written so far becomes a piece; later writes go on in the rest of the same allocation.
      rope.pieces.push(this.buf.subarray(0, this.offset));
      rope.bytes += this.offset;
      this.buf = this.buf.subarray(this.offset);
      this.offset = 0;
    }
    rope.pieces.push(buffer);
    rope.bytes += buffer.length;
  };

  const writeBytes = proto.writeBytes;
  proto.writeBytes = function (this: RopedEncoder, value: Buffer | string | null): KafkajsEncoder {
    // kafkajs reserves room for the whole value first (an allocation the rope would never use).
    if (!Buffer.isBuffer(value) || value.length < ROPE_MIN_BYTES) return writeBytes.call(this, value);
    this.writeInt32(value.length);
    this.writeBufferInternal(value);
    return this;
  };

  proto.size = function (this: RopedEncoder): number {
    return (this[ROPE]?.bytes ?? 0) + this.offset;
  };

  Object.defineProperty(proto, 'buffer', {
    configurable: true,
    get(this: RopedEncoder): Buffer {
      if (!this[ROPE]) return sliceOf.call(this) as Buffer;
      // Joined once, then kept joined: kafkajs reads `.buffer` of one encoder more than once (size, then write).
      const joined = Buffer.concat(piecesOf(this), this.size());
      this[ROPE] = undefined; // not `delete`: that would turn the object's properties into a slow dictionary
      this.buf = joined;
      this.offset = joined.length;
      return joined;
    },
  });

  proto.writeEncoder = function (this: RopedEncoder, value: KafkajsEncoder): KafkajsEncoder {
    assertEncoder(value);
    for (const piece of piecesOf(value)) this.writeBufferInternal(piece);
    return this;
  };

  proto.writeEncoderArray = function (this: RopedEncoder, value: KafkajsEncoder[]): KafkajsEncoder {
    if (!Array.isArray(value)) throw new Error('all values should be an instance of Encoder[]');
    for (const v of value) assertEncoder(v);
    for (const v of value as RopedEncoder[]) for (const piece of piecesOf(v)) this.writeBufferInternal(piece);
    return this;
  };
}

/** Patches the Encoder kafkajs itself uses. */
export function installKafkajsEncoderRope(): void {
  const require = createRequire(import.meta.url);
  installRope(require('kafkajs/src/protocol/encoder.js') as EncoderClass);
}
