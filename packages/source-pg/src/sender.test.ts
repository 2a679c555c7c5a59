import { describe, expect, it } from 'vitest';
import type { OutgoingMessage, Producer } from '@fleetpivot/transport-kafka';
import { OrderedSender } from './sender.ts';

function fakeProducer() {
  const sent: string[][] = [];
  const pending: Array<() => void> = [];
  let fail = false;
  const producer: Producer = {
    send: (_topic: string, messages: readonly OutgoingMessage[]) => new Promise<void>((resolve, reject) => {
      pending.push(() => {
        if (fail) return reject(new Error('broker down'));
        sent.push(messages.map((m) => m.value.toString()));
        resolve();
      });
    }),
    close: async () => undefined,
  };
  return { producer, sent, release: () => pending.shift()?.(), failNext: () => { fail = true; } };
}
const msg = (v: string): OutgoingMessage => ({ key: null, value: Buffer.from(v) });
const tick = () => new Promise((r) => setImmediate(r));

describe('OrderedSender', () => {
  it('sends in order, one request at a time, and reports acks by sequence', async () => {
    const f = fakeProducer();
    const acked: number[] = [];
    const s = new OrderedSender(f.producer, { topic: 't', inflightMaxBytes: 10, requestMaxBytes: 6 }, { onAcked: (seq) => acked.push(seq) });
    s.enqueue(msg('aaa'));
    s.enqueue(msg('bbb'));
    s.enqueue(msg('ccc'));
    expect(s.lastSeq).toBe(3);
    let waited = false;
    void s.waitFor().then(() => (waited = true));
    await tick();
    expect(waited).toBe(true); // 9 bytes <= 10
    f.release();
    await tick();
    f.release();
    await tick();
    expect(f.sent).toEqual([['aaa'], ['bbb', 'ccc']]);
    expect(acked).toEqual([1, 3]);
    await s.drain();
  });

  it('holds the reader back above the byte budget until acks free it', async () => {
    const f = fakeProducer();
    const s = new OrderedSender(f.producer, { topic: 't', inflightMaxBytes: 4, requestMaxBytes: 100 }, { onAcked: () => undefined });
    s.enqueue(msg('aaaaaa'));
    let waited = false;
    void s.waitFor().then(() => (waited = true));
    await tick();
    expect(waited).toBe(false);
    f.release();
    await tick();
    await tick();
    expect(waited).toBe(true);
  });

  it('fails every waiter and later enqueue once a send fails (nothing is confirmed past it)', async () => {
    const f = fakeProducer();
    const acked: number[] = [];
    const s = new OrderedSender(f.producer, { topic: 't', inflightMaxBytes: 1, requestMaxBytes: 100 }, { onAcked: (seq) => acked.push(seq) });
    s.enqueue(msg('aaaa'));
    const waiting = s.waitFor();
    f.failNext();
    f.release();
    await expect(waiting).rejects.toThrow(/produce 1 change batches/);
    expect(acked).toEqual([]);
    expect(() => s.enqueue(msg('b'))).toThrow();
  });
});
