import { SourcePgError } from './errors.ts';
import type { Lsn } from './lsn.ts';

/**
 * A decoder for pgoutput protocol version 1 messages (PostgreSQL docs, "Logical Replication Message
 * Formats"). Our own rather than pg-logical-replication's parser because that one runs every column
 * through pg's global type parsers: timestamptz becomes a Date (microseconds lost) and parsers are
 * process-global. Here every value stays the exact text PostgreSQL sent; values.ts parses it.
 */

/** A TOASTed value the UPDATE did not change: PostgreSQL does not resend it. */
export const UNCHANGED_TOAST: unique symbol = Symbol('unchanged-toast');
export type TupleValue = string | null | typeof UNCHANGED_TOAST;
export type Tuple = TupleValue[];

export interface RelationColumn {
  name: string;
  isKey: boolean;
  typeOid: number;
}

export interface Relation {
  oid: number;
  schema: string;
  name: string;
  replicaIdentity: 'default' | 'nothing' | 'full' | 'index';
  columns: RelationColumn[];
}

/** Microseconds since the Unix epoch (PostgreSQL sends them since 2000-01-01). */
export type TimeUs = bigint;

export type PgoutputMessage =
  | { tag: 'begin'; finalLsn: Lsn; commitTimeUs: TimeUs; xid: number }
  | { tag: 'commit'; commitLsn: Lsn; endLsn: Lsn; commitTimeUs: TimeUs }
  | { tag: 'relation'; relation: Relation }
  | { tag: 'insert'; relationOid: number; new: Tuple }
  | { tag: 'update'; relationOid: number; oldKind: 'K' | 'O' | null; old: Tuple | null; new: Tuple }
  | { tag: 'delete'; relationOid: number; oldKind: 'K' | 'O'; old: Tuple }
  | { tag: 'truncate'; relationOids: number[]; cascade: boolean; restartIdentity: boolean }
  | { tag: 'message'; transactional: boolean; lsn: Lsn; prefix: string; content: Buffer }
  | { tag: 'origin' }
  | { tag: 'type' };

const PG_EPOCH_US = 946_684_800_000_000n;
const IDENTITIES = { d: 'default', n: 'nothing', f: 'full', i: 'index' } as const;

class Reader {
  pos = 0;
  readonly buf: Buffer;
  constructor(buf: Buffer) {
    this.buf = buf;
  }
  need(n: number): void {
    if (this.pos + n > this.buf.length) throw new SourcePgError('decode_failed', `pgoutput message truncated at byte ${this.pos}`);
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++] as number;
  }
  i16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  i32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  u64(): bigint {
    this.need(8);
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  time(): TimeUs {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v + PG_EPOCH_US;
  }
  cstring(): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) throw new SourcePgError('decode_failed', 'pgoutput string not terminated');
    const s = this.buf.toString('utf8', this.pos, end);
    this.pos = end + 1;
    return s;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  tuple(): Tuple {
    const n = this.i16();
    const out: Tuple = new Array<TupleValue>(n);
    for (let i = 0; i < n; i++) {
      const kind = this.u8();
      if (kind === 0x74 /* t */) {
        const len = this.i32();
        this.need(len);
        out[i] = this.buf.toString('utf8', this.pos, this.pos + len);
        this.pos += len;
      } else if (kind === 0x6e /* n */) out[i] = null;
      else if (kind === 0x75 /* u */) out[i] = UNCHANGED_TOAST;
      // 'b' (binary) never comes: the stream is started without the binary option.
      else throw new SourcePgError('decode_failed', `unknown tuple value kind 0x${kind.toString(16)}`);
    }
    return out;
  }
}

export function decodePgoutput(buf: Buffer): PgoutputMessage {
  const r = new Reader(buf);
  const tag = r.u8();
  switch (tag) {
    case 0x42 /* B */:
      return { tag: 'begin', finalLsn: r.u64(), commitTimeUs: r.time(), xid: r.u32() };
    case 0x43 /* C */: {
      r.u8(); // flags, unused
      return { tag: 'commit', commitLsn: r.u64(), endLsn: r.u64(), commitTimeUs: r.time() };
    }
    case 0x52 /* R */:
      return { tag: 'relation', relation: readRelation(r) };
    case 0x49 /* I */: {
      const relationOid = r.u32();
      expectByte(r, 0x4e);
      return { tag: 'insert', relationOid, new: r.tuple() };
    }
    case 0x55 /* U */: {
      const relationOid = r.u32();
      let sub = r.u8();
      let oldKind: 'K' | 'O' | null = null;
      let old: Tuple | null = null;
      if (sub === 0x4b || sub === 0x4f) {
        oldKind = sub === 0x4b ? 'K' : 'O';
        old = r.tuple();
        sub = r.u8();
      }
      if (sub !== 0x4e) throw new SourcePgError('decode_failed', `unexpected update submessage 0x${sub.toString(16)}`);
      return { tag: 'update', relationOid, oldKind, old, new: r.tuple() };
    }
    case 0x44 /* D */: {
      const relationOid = r.u32();
      const sub = r.u8();
      if (sub !== 0x4b && sub !== 0x4f) throw new SourcePgError('decode_failed', `unexpected delete submessage 0x${sub.toString(16)}`);
      return { tag: 'delete', relationOid, oldKind: sub === 0x4b ? 'K' : 'O', old: r.tuple() };
    }
    case 0x54 /* T */: {
      const n = r.u32();
      const flags = r.u8();
      const relationOids: number[] = [];
      for (let i = 0; i < n; i++) relationOids.push(r.u32());
      return { tag: 'truncate', relationOids, cascade: (flags & 1) !== 0, restartIdentity: (flags & 2) !== 0 };
    }
    case 0x4d /* M */: {
      const flags = r.u8();
      const lsn = r.u64();
      const prefix = r.cstring();
      return { tag: 'message', transactional: (flags & 1) !== 0, lsn, prefix, content: r.bytes(r.u32()) };
    }
    case 0x4f /* O */:
      return { tag: 'origin' };
    case 0x59 /* Y */:
      return { tag: 'type' };
    default:
      throw new SourcePgError('decode_failed', `unknown pgoutput message type 0x${tag.toString(16)}`);
  }
}

function expectByte(r: Reader, byte: number): void {
  const got = r.u8();
  if (got !== byte) throw new SourcePgError('decode_failed', `expected 0x${byte.toString(16)}, got 0x${got.toString(16)}`);
}

function readRelation(r: Reader): Relation {
  const oid = r.u32();
  const schema = r.cstring();
  const name = r.cstring();
  const ident = String.fromCharCode(r.u8());
  const replicaIdentity = IDENTITIES[ident as keyof typeof IDENTITIES];
  if (!replicaIdentity) throw new SourcePgError('decode_failed', `unknown replica identity ${JSON.stringify(ident)}`);
  const n = r.i16();
  const columns: RelationColumn[] = [];
  for (let i = 0; i < n; i++) {
    const flags = r.u8();
    const colName = r.cstring();
    const typeOid = r.u32();
    r.i32(); // typmod
    columns.push({ name: colName, isKey: (flags & 1) !== 0, typeOid });
  }
  return { oid, schema, name, replicaIdentity, columns };
}
