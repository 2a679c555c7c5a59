import { describe, expect, it } from 'vitest';
import type { ChunkRecord } from './job-store.ts';
import { ProgressTracker } from './progress.ts';
import { logDisplay, terminalDisplay } from './progress-display.ts';

const chunk = (id: number, shipId: string | null, rowsEstimate: number, status: ChunkRecord['status'] = 'pending', rows: number | null = null): ChunkRecord => ({
  id, shipId, fromUs: null, toUs: null, nullTime: false, rowsEstimate, status, rows, attempts: 0,
});

describe('ProgressTracker', () => {
  it('counts done chunks from earlier runs, acknowledged rows of running ones, and forgets failed attempts', () => {
    let t = 0;
    const chunks = [chunk(1, 'A', 100, 'done', 100), chunk(2, 'A', 100), chunk(3, 'B', 200)];
    const p = new ProgressTracker('7', chunks, () => t);
    p.chunkStarted(chunks[1]!);
    p.chunkStarted(chunks[2]!);
    t = 2_000;
    p.rows(chunks[1]!, 50);
    p.rows(chunks[2]!, 150);
    let s = p.snapshot();
    expect(s).toMatchObject({ rowsDone: 300, rowsTotal: 400, chunks: 3, chunksDone: 1, rowsPerSecond: 100, etaSeconds: 1 });
    expect(p.shipRatio('A')).toBe(0.75);
    p.chunkEnded(chunks[2]!, false); // a failed attempt: its rows will be produced again
    p.rows(chunks[1]!, 50);
    p.chunkEnded(chunks[1]!, true);
    s = p.snapshot();
    expect(s).toMatchObject({ rowsDone: 200, chunksDone: 2 });
    expect(p.shipRatio('A')).toBe(1);
    expect(p.shipRatio('B')).toBe(0);
  });
});

describe('progress displays', () => {
  const snapshot = new ProgressTracker('7', [chunk(1, 'IMO9074729', 1000), chunk(2, null, 10, 'done', 10)], () => 0).snapshot();

  it('redraws in place on a terminal', () => {
    let out = '';
    const stream = { columns: 200, write: (s: string) => ((out += s), true) } as unknown as NodeJS.WriteStream;
    const d = terminalDisplay(stream);
    d.update(snapshot);
    expect(out).toContain('backfill job 7');
    expect(out).toContain('10/1,010 rows');
    expect(out).toContain('IMO9074729');
    out = '';
    d.done(snapshot);
    expect(out.startsWith('\x1b[3F')).toBe(true); // back over the three lines drawn before
  });

  it('logs one structured line otherwise', () => {
    const lines: unknown[] = [];
    const logger = { info: (fields: unknown, msg: string) => lines.push({ fields, msg }) } as never;
    logDisplay(logger).update(snapshot);
    expect(lines).toEqual([{ msg: 'backfill progress', fields: expect.objectContaining({ job: '7', rowsDone: 10, rowsTotal: 1010, shipsDone: 1, ships: 2 }) }]);
  });
});
