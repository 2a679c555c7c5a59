import avro from 'avsc';
import { exactLongType } from './long-type.ts';
import { CURRENT_SCHEMA_VERSION, SCHEMA_VERSIONS } from './schemas.ts';
import type { ChangeBatch } from './types.ts';
import { EventsError } from './errors.ts';

/** Kafka header carrying the writer schema version of a message value. */
export const SCHEMA_VERSION_HEADER = 'fp-schema-version';

type AvroType = avro.Type;

function typeFor(schema: avro.Schema): AvroType {
  // wrapUnions: false keeps ["null", X] unions as plain `X | null` values (fast and natural in TS).
  return avro.Type.forSchema(schema, { registry: { long: exactLongType }, wrapUnions: false });
}

/**
 * Encodes and decodes ChangeBatch values. The reader is the current schema; older (or newer) writer
 * versions are read through avsc resolvers built once per version.
 */
export class ChangeBatchCodec {
  readonly version: number;
  private readonly writer: AvroType;
  private readonly readers = new Map<number, { type: AvroType; resolver: avro.Resolver | undefined }>();

  constructor(version = CURRENT_SCHEMA_VERSION, versions: Readonly<Record<number, avro.Schema>> = SCHEMA_VERSIONS) {
    const schema = versions[version];
    if (!schema) throw new EventsError('unknown_schema_version', `no writer schema for version ${version}`);
    this.version = version;
    this.writer = typeFor(schema);
    for (const [v, s] of Object.entries(versions)) {
      const n = Number(v);
      const type = n === version ? this.writer : typeFor(s);
      this.readers.set(n, { type, resolver: n === version ? undefined : this.writer.createResolver(type) });
    }
  }

  encode(batch: ChangeBatch): Buffer {
    try {
      return this.writer.toBuffer(batch);
    } catch (err) {
      throw new EventsError('encode_failed', `encode change batch for ship ${JSON.stringify(batch.ship_id)}`, { cause: err });
    }
  }

  /**
   * Encodes into `buf` from its start: the end offset when the value fits, otherwise minus the bytes missing
   * (avsc's Type#encode). For a producer that reuses its buffers instead of allocating one per message.
   */
  encodeInto(batch: ChangeBatch, buf: Buffer): number {
    try {
      return this.writer.encode(batch, buf, 0);
    } catch (err) {
      throw new EventsError('encode_failed', `encode change batch for ship ${JSON.stringify(batch.ship_id)}`, { cause: err });
    }
  }

  /** Decodes a value written with `writerVersion`; throws EventsError (the consumer parks the message). */
  decode(value: Buffer, writerVersion = this.version): ChangeBatch {
    const reader = this.readers.get(writerVersion);
    if (!reader) throw new EventsError('unknown_schema_version', `message written with unknown schema version ${writerVersion}`);
    try {
      const decoded = reader.resolver
        ? this.writer.fromBuffer(value, reader.resolver, false)
        : this.writer.fromBuffer(value, undefined, false);
      return decoded as ChangeBatch;
    } catch (err) {
      throw new EventsError('decode_failed', `decode change batch (schema version ${writerVersion}, ${value.length} bytes)`, { cause: err });
    }
  }

  /** The writer version named by a message's headers (version 1 when absent, as the first producers wrote). */
  static versionFromHeaders(headers: Record<string, Buffer | string | undefined> | undefined): number {
    const raw = headers?.[SCHEMA_VERSION_HEADER];
    if (raw === undefined) return 1;
    const n = Number(raw.toString());
    if (!Number.isInteger(n) || n <= 0) throw new EventsError('unknown_schema_version', `bad ${SCHEMA_VERSION_HEADER} header ${JSON.stringify(raw.toString())}`);
    return n;
  }
}
