import { describe, expect, it } from 'vitest';
import type { Change } from '@fleetpivot/events';
import { TransactionBatcher } from './batcher.ts';
import type { OutBatch } from './batcher.ts';
import { CheckpointTracker } from './checkpoint.ts';

const change = (i: number): Change => ({ op: 'INSERT', data_channel_id: `c${i}`, created_time_us: i, value_format: 'Integer', double_v: null, long_v: i, str_v: null, bool_v: null, old: null });
const source = { kind: 'LIVE' as const, lsn: '0/10', commit_time_us: 1, xid: 1, job_id: null, chunk_id: null };

describe('TransactionBatcher', () => {
  it('emits one batch per ship per transaction, in commit order', () => {
    const out: OutBatch[] = [];
    const b = new TransactionBatcher({ maxChanges: 100, maxBytes: 1e6, txBufferMaxBytes: 1e7 }, (o) => out.push(o));
    b.begin(source);
    b.add('A', change(1));
    b.add('B', change(2));
    b.add('A', change(3));
    expect(out).toHaveLength(0);
    b.commit();
    expect(out.map((o) => [o.batch.ship_id, o.batch.changes.map((c) => c.long_v)])).toEqual([['A', [1, 3]], ['B', [2]]]);
  });

  it('slices big transactions by count and by total buffered bytes', () => {
    const out: OutBatch[] = [];
    const b = new TransactionBatcher({ maxChanges: 3, maxBytes: 1e6, txBufferMaxBytes: 500 }, (o) => out.push(o));
    b.begin(source);
    for (let i = 0; i < 7; i++) b.add('A', change(i));
    expect(out.map((o) => o.batch.changes.length)).toEqual([3, 3]);
    for (let i = 0; i < 20; i++) b.add(`S${i}`, change(i)); // ~60 bytes each: the 500-byte budget forces slices
    expect(out.length).toBeGreaterThan(2);
    b.commit();
    const all = out.flatMap((o) => o.batch.changes.map((c) => `${o.batch.ship_id}:${c.long_v}`));
    expect(all.filter((s) => s.startsWith('A:'))).toEqual(['A:0', 'A:1', 'A:2', 'A:3', 'A:4', 'A:5', 'A:6']);
    expect(all).toHaveLength(27);
  });

  it('sends a TRUNCATE to every partition after what preceded it', () => {
    const out: OutBatch[] = [];
    const b = new TransactionBatcher({ maxChanges: 100, maxBytes: 1e6, txBufferMaxBytes: 1e7 }, (o) => out.push(o));
    b.begin(source);
    b.add('A', change(1));
    b.truncate(3);
    b.commit();
    expect(out.map((o) => [o.batch.ship_id, o.partition, o.batch.changes[0]?.op])).toEqual([
      ['A', undefined, 'INSERT'], [null, 0, 'TRUNCATE'], [null, 1, 'TRUNCATE'], [null, 2, 'TRUNCATE'],
    ]);
  });
});

describe('CheckpointTracker', () => {
  it('confirms a commit only when every message before it is acked', () => {
    const t = new CheckpointTracker(5n);
    t.mark(10n, 2); // tx1: messages 1..2
    t.mark(20n, 5); // tx2: messages 3..5
    expect(t.confirmed).toBe(5n);
    t.acked(1);
    expect(t.confirmed).toBe(5n);
    expect(t.acked(3)).toBe(true);
    expect(t.confirmed).toBe(10n);
    t.acked(5);
    expect(t.confirmed).toBe(20n);
  });
  it('confirms empty transactions and heartbeats right away once prior work is acked, never backwards', () => {
    const t = new CheckpointTracker(100n);
    t.mark(50n, 0);
    expect(t.confirmed).toBe(100n);
    t.mark(150n, 0);
    expect(t.confirmed).toBe(150n);
  });
});
