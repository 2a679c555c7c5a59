import { createRequire } from 'node:module';

/**
 * node-postgres writes each Bind message (a statement's parameter values) into one shared buffer that starts at
 * 256 bytes and is reallocated half as large again whenever a value does not fit, then cut off and replaced by a
 * fresh 256-byte one. For the pivot's statements (a binary array per column, megabytes per statement) that was
 * ~7× the message in short-lived off-heap buffers: 42 MiB per 1M rows at 1,000 channels, more than half of all the
 * pivot allocated, and like any off-heap garbage it stays until V8's next full collection, so the pivot's peak RSS
 * rose with the length of a run. This writer measures the message first and writes it once into a buffer of
 * exactly its size. Same bytes as pg-protocol's (exact-bind.test.ts); installed over pg-protocol's `serialize.bind`
 * (the object node-postgres's connection calls) by `installExactBind`, as transport-kafka does for kafkajs.
 */

export interface BindConfig {
  portal?: string;
  statement?: string;
  binary?: boolean;
  values?: readonly unknown[];
  valueMapper?: (value: unknown, index: number) => unknown;
}

type BindSerializer = (config?: BindConfig) => Buffer;

const BIND = 0x42; // 'B'
const INSTALLED = Symbol.for('fleetpivot.pgkit.exact-bind');

/** Writes the two bytes of a protocol Int16 as pg-protocol does (the low 16 bits, no range check). */
function int16(buf: Buffer, at: number, n: number): number {
  buf[at] = (n >>> 8) & 0xff;
  buf[at + 1] = n & 0xff;
  return at + 2;
}

/** A Bind message, byte for byte what pg-protocol's `serialize.bind` writes for the same config. */
export function serializeBind(config: BindConfig = {}): Buffer {
  const portal = config.portal || '';
  const statement = config.statement || '';
  const values = config.values || [];
  const mapper = config.valueMapper;
  const n = values.length;
  // Values mapped once (pg's prepareValue turns dates, arrays and objects into text), measured, then written.
  const mapped: unknown[] = new Array(n);
  const lengths = new Int32Array(n);
  let size = 1 + 4 + Buffer.byteLength(portal) + 1 + Buffer.byteLength(statement) + 1 + 2 + 2 * n + 2 + 2 + 2;
  for (let i = 0; i < n; i++) {
    const v = mapper ? mapper(values[i], i) : values[i];
    mapped[i] = v;
    // As pg-protocol: null/undefined is NULL, a Buffer goes as is, anything else must be a string (it throws the same
    // TypeError as pg-protocol for anything else, before anything is written).
    const len = v == null ? -1 : v instanceof Buffer ? v.length : Buffer.byteLength(v as string);
    lengths[i] = len;
    size += 4 + Math.max(len, 0);
  }
  const buf = Buffer.allocUnsafe(size);
  buf[0] = BIND;
  buf.writeInt32BE(size - 1, 1);
  let at = 5;
  at += buf.write(portal, at, 'utf8');
  buf[at++] = 0;
  at += buf.write(statement, at, 'utf8');
  buf[at++] = 0;
  at = int16(buf, at, n);
  for (let i = 0; i < n; i++) at = int16(buf, at, mapped[i] instanceof Buffer ? 1 : 0);
  at = int16(buf, at, n);
  for (let i = 0; i < n; i++) {
    const v = mapped[i];
    const len = lengths[i]!;
    buf.writeInt32BE(len, at);
    at += 4;
    if (len <= 0) continue;
    at += v instanceof Buffer ? v.copy(buf, at) : buf.write(v as string, at, 'utf8');
  }
  at = int16(buf, at, 1); // one result format code, for all columns
  int16(buf, at, config.binary ? 1 : 0);
  return buf;
}

/** Resolved once: installExactBind runs on every pool's creation. */
let serializer: Record<string | symbol, unknown> | undefined;

function pgProtocolSerializer(): Record<string | symbol, unknown> {
  // pg-protocol as node-postgres itself resolves it: the instance whose `serialize` its connection calls.
  serializer ??= (createRequire(createRequire(import.meta.url).resolve('pg'))('pg-protocol') as { serialize: Record<string | symbol, unknown> }).serialize;
  return serializer;
}

/** pg-protocol's own Bind writer (the tests compare with it), whether or not ours is installed. */
export function pgProtocolBind(): BindSerializer {
  const serialize = pgProtocolSerializer();
  return ((serialize[INSTALLED] as BindSerializer | undefined) ?? serialize.bind) as BindSerializer;
}

/** Makes node-postgres write Bind messages with `serializeBind` (once per process; idempotent). */
export function installExactBind(): void {
  const serialize = pgProtocolSerializer();
  if (serialize[INSTALLED] || typeof serialize.bind !== 'function') return;
  serialize[INSTALLED] = serialize.bind;
  serialize.bind = serializeBind;
}
