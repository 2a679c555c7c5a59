import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { copyMessage, randomBytes } from './copy-fixture.ts';
import { CopyOut } from './copy-out.ts';
import { ReadTap, readTapStream } from './read-tap.ts';

// A real TCP connection on localhost: the server side writes, the ReadTap's socket reads. Sizes are well over the
// tap's 64 KiB buffer, so the same buffer is read into many times and a read kept by reference would be overwritten.

const servers: net.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** Connects a ReadTap to a local server; resolves with both ends. */
async function connected(): Promise<{ tap: ReadTap; peer: net.Socket }> {
  const server = net.createServer();
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const peer = new Promise<net.Socket>((r) => server.once('connection', r));
  const tap = new ReadTap();
  tap.socket.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  await new Promise((r) => tap.socket.once('connect', r));
  return { tap, peer: await peer };
}

const until = async (done: () => boolean): Promise<void> => {
  while (!done()) await new Promise((r) => setTimeout(r, 2));
};


describe('ReadTap', () => {
  it("emits pg's reads as copies, so reads kept by reference stay intact", async () => {
    const { tap, peer } = await connected();
    const sent = randomBytes(1_000_000, 1);
    const got: Buffer[] = [];
    tap.socket.on('data', (b: Buffer) => got.push(b));
    peer.end(sent);
    await new Promise((r) => tap.socket.once('end', r));
    expect(got.length).toBeGreaterThan(1);
    expect(Buffer.concat(got).equals(sent)).toBe(true);
    tap.socket.destroy();
  });

  it('diverts reads in place, reads nothing more until resumed, and hands the rest back to pg', async () => {
    const { tap, peer } = await connected();
    const sent = randomBytes(600_000, 2);
    const toPg: Buffer[] = [];
    tap.socket.on('data', (b: Buffer) => toPg.push(b));
    const diverted: Buffer[] = [];
    let held = false;
    let readWhileHeld = false;
    const buffers = new Set<ArrayBufferLike>();
    tap.divert((buf, n) => {
      if (held) readWhileHeld = true;
      held = true;
      buffers.add(buf.buffer);
      diverted.push(Buffer.from(buf.subarray(0, n)));
    });
    peer.write(sent);
    // Take 400,000 bytes, one read at a time, leaving each held for a while with more data waiting.
    let taken = 0;
    while (taken < 400_000) {
      await until(() => held);
      await new Promise((r) => setTimeout(r, 3));
      taken += diverted.at(-1)!.length;
      held = false;
      if (taken < 400_000) tap.resumeReads();
    }
    expect(readWhileHeld).toBe(false);
    expect(toPg).toEqual([]);
    expect(buffers.size).toBe(1);
    // Hand back everything from byte 400,000 of the last read on, like CopyOut at CopyDone.
    const last = diverted.pop()!;
    const keep = last.length - (taken - 400_000);
    tap.restore(last.subarray(keep));
    peer.end();
    await new Promise((r) => tap.socket.once('end', r));
    expect(Buffer.concat([...diverted, last.subarray(0, keep)]).equals(sent.subarray(0, 400_000))).toBe(true);
    expect(Buffer.concat(toPg).equals(sent.subarray(400_000))).toBe(true);
    tap.socket.destroy();
  });

  it('refuses a second reader', async () => {
    const tap = new ReadTap();
    tap.divert(() => undefined);
    expect(() => tap.divert(() => undefined)).toThrow(/already diverted/);
    tap.socket.destroy();
  });

  it("is pg's socket factory only for plain connections: TLS keeps a socket of its own", () => {
    const plain = readTapStream({ ssl: false });
    const tls = readTapStream({ ssl: { rejectUnauthorized: false } });
    expect(ReadTap.of(plain)).toBeInstanceOf(ReadTap);
    expect(ReadTap.of(tls)).toBeUndefined();
    expect(ReadTap.of(undefined)).toBeUndefined();
    plain.destroy();
    tls.destroy();
  });
});

describe('CopyOut over a ReadTap', () => {
  it('hands on every payload exactly across reads of one reused buffer, and pg gets only what follows CopyDone', async () => {
    const { tap, peer } = await connected();
    // Payloads from 200 kB (spanning several 64 KiB reads) down to 0 bytes: cut messages, whole messages per read.
    const payloads = [200_000, 3, 70_000, 0, ...Array.from({ length: 3000 }, (_, i) => i % 97), 130_000].map((n, i) => randomBytes(n, i + 10));
    const after = Buffer.from('C-and-Z');
    const stream = Buffer.concat([copyMessage('H', Buffer.from([0, 0, 0])), ...payloads.map((p) => copyMessage('d', p)), copyMessage('c', Buffer.alloc(0)), after]);
    const toPg: Buffer[] = [];
    const got: Buffer[] = [];
    const copy = new CopyOut('COPY x TO STDOUT', (buf, start, end) => got.push(Buffer.from(buf.subarray(start, end))));
    tap.socket.on('data', (b: Buffer) => {
      toPg.push(b);
      if (Buffer.concat(toPg).length === after.length) copy.handleReadyForQuery();
    });
    copy.submit({ stream: tap.socket, query: () => peer.write(stream) });
    let pumps = 0;
    // A slow consumer: each pump waits, so the peer's bytes queue up in TCP meanwhile.
    while (await copy.pump()) if (++pumps % 5 === 0) await new Promise((r) => setTimeout(r, 1));
    expect(got.length).toBe(payloads.length);
    got.forEach((p, i) => expect(p.equals(payloads[i]!), `payload ${i}`).toBe(true));
    expect(Buffer.concat(toPg).equals(after)).toBe(true);
    tap.socket.destroy();
  });
});
