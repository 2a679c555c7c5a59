import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { copyMessage, randomInts } from './copy-fixture.ts';
import { CopyOut } from './copy-out.ts';

// The protocol bytes PostgreSQL sends for a COPY TO STDOUT, fed to CopyOut through a real stream in reads cut
// at chosen places (test/backfill/copy-out.test.ts runs it against PostgreSQL, where the cuts fall where TCP
// puts them; here every cut position is tried, the 5-byte message headers included).


const PAYLOADS = [Buffer.alloc(0), Buffer.from('a'), Buffer.from('four'), Buffer.from('twelve bytes'), Buffer.alloc(300, 7)];
const AFTER = Buffer.from('C-and-Z'); // what pg parses after CopyDone (CommandComplete, ReadyForQuery)
const STREAM = Buffer.concat([copyMessage('H', Buffer.from([0, 0, 0])), ...PAYLOADS.map((p) => copyMessage('d', p)), copyMessage('c', Buffer.alloc(0)), AFTER]);

/** Feeds `reads` one per pump; returns the CopyData payloads handed on and the bytes pg got back. */
async function run(reads: Buffer[]): Promise<{ payloads: Buffer[]; toPg: Buffer }> {
  const stream = new PassThrough();
  const toPg: Buffer[] = [];
  const payloads: Buffer[] = [];
  const copy = new CopyOut('COPY x TO STDOUT', (buf, start, end) => payloads.push(Buffer.from(buf.subarray(start, end))));
  stream.on('data', (b: Buffer) => {
    toPg.push(b);
    if (Buffer.concat(toPg).length === AFTER.length) copy.handleReadyForQuery();
  });
  copy.submit({ stream, query: () => undefined });
  // One read at a time: the next is written only once the last was taken, so no two reads merge.
  let stopped = false; // CopyOut failed: nobody takes the reads any more
  const feeding = (async () => {
    for (const r of reads) {
      while (stream.readableLength > 0 && !stopped) await new Promise((resolve) => setImmediate(resolve));
      if (stopped) return;
      stream.write(r);
    }
  })();
  try {
    while (await copy.pump());
  } finally {
    stopped = true;
  }
  await feeding;
  return { payloads, toPg: Buffer.concat(toPg) };
}

describe('CopyOut message framing', () => {
  it('hands on every CopyData payload exactly, whatever byte a socket read ends on', async () => {
    for (let cut = 1; cut < STREAM.length; cut++) {
      const got = await run([STREAM.subarray(0, cut), STREAM.subarray(cut)]);
      expect(got.payloads, `cut at ${cut}`).toEqual(PAYLOADS);
      expect(got.toPg.equals(AFTER), `cut at ${cut}`).toBe(true);
    }
  });

  it('reads a byte at a time (headers and payloads cut everywhere at once)', async () => {
    const got = await run([...STREAM].map((b) => Buffer.from([b])));
    expect(got.payloads).toEqual(PAYLOADS);
    expect(got.toPg.equals(AFTER)).toBe(true);
  });
});

describe('CopyOut assembling cut messages', () => {
  it('hands on large and small payloads cut at random places, one assembly buffer reused for all', async () => {
    // Payloads from 70 kB (grows the buffer past its first size) down to 1 byte, every one cut somewhere.
    const rand = randomInts(7);
    const payloads = [70_000, 3, 200_000, 1, 40_000, 0, 9].map((n) => Buffer.from(Array.from({ length: n }, () => rand(256))));
    const stream = Buffer.concat([copyMessage('H', Buffer.from([0, 0, 0])), ...payloads.map((p) => copyMessage('d', p)), copyMessage('c', Buffer.alloc(0)), AFTER]);
    for (let trial = 0; trial < 20; trial++) {
      const reads: Buffer[] = [];
      for (let at = 0; at < stream.length; ) {
        const n = 1 + rand(trial % 2 === 0 ? 50_000 : 3_000);
        reads.push(stream.subarray(at, at + n));
        at += n;
      }
      const got = await run(reads);
      expect(got.payloads.length).toBe(payloads.length);
      got.payloads.forEach((p, i) => expect(p.equals(payloads[i]!), `trial ${trial}, payload ${i}`).toBe(true));
      expect(got.toPg.equals(AFTER)).toBe(true);
    }
  });
});

describe('CopyOut on a corrupt stream', () => {
  it('fails with a clear error on a length field no server sends, wherever the read is cut', async () => {
    for (const field of [-1, 0, 3, 0x7fffffff]) {
      const bad = Buffer.from([0x64, 0, 0, 0, 0]);
      bad.writeInt32BE(field, 1);
      const stream = Buffer.concat([copyMessage('H', Buffer.from([0, 0, 0])), copyMessage('d', Buffer.from('fine')), bad, Buffer.alloc(20)]);
      for (let cut = 1; cut < stream.length; cut++) {
        await expect(run([stream.subarray(0, cut), stream.subarray(cut)]), `field ${field}, cut at ${cut}`).rejects.toThrow(/malformed COPY stream: message type 0x64 has length field/);
      }
    }
  });
});
