import { describe, expect, it } from 'vitest';
import type { ChangeBatch } from '@fleetpivot/events';
import { isFencedBackfill } from './backfill-fences.ts';

const batch = (ship: string | null, kind: 'LIVE' | 'BACKFILL', job: string | null): Pick<ChangeBatch, 'ship_id' | 'source'> => ({
  ship_id: ship,
  source: { kind, lsn: '0/1', commit_time_us: 0, xid: null, job_id: job, chunk_id: null },
});

describe('isFencedBackfill', () => {
  const fences = new Map([['S', 7n], ["S'; DROP TABLE x; --", 7n]]);

  it('drops a fenced ship\'s backfill from jobs up to the fence, and nothing else', () => {
    expect(isFencedBackfill(fences, batch('S', 'BACKFILL', '7'))).toBe(true);
    expect(isFencedBackfill(fences, batch('S', 'BACKFILL', '1'))).toBe(true);
    expect(isFencedBackfill(fences, batch('S', 'BACKFILL', '8'))).toBe(false);
    expect(isFencedBackfill(fences, batch('S', 'BACKFILL', '9223372036854775807'))).toBe(false);
    expect(isFencedBackfill(fences, batch('S', 'LIVE', null))).toBe(false); // live changes always apply
    expect(isFencedBackfill(fences, batch('T', 'BACKFILL', '1'))).toBe(false); // not rolled back
    expect(isFencedBackfill(fences, batch(null, 'BACKFILL', '1'))).toBe(false); // parked by the reducer as usual
    expect(isFencedBackfill(new Map(), batch('S', 'BACKFILL', null))).toBe(false);
  });

  it('fences a job id it cannot read as a job number: it cannot be shown to be newer', () => {
    for (const job of [null, '', ' 8', '8 ', '+8', '-8', '8.0', '1e9', '0x10', '٨', '99999999999999999999', "8'; --", '8\u0000']) {
      expect({ job, fenced: isFencedBackfill(fences, batch('S', 'BACKFILL', job)) }).toEqual({ job, fenced: true });
    }
  });

  it('matches ship ids exactly, hostile ones included', () => {
    expect(isFencedBackfill(fences, batch("S'; DROP TABLE x; --", 'BACKFILL', '3'))).toBe(true);
    expect(isFencedBackfill(fences, batch('s', 'BACKFILL', '3'))).toBe(false);
    expect(isFencedBackfill(fences, batch('S ', 'BACKFILL', '3'))).toBe(false);
  });
});
