import type { ChunkRecord } from './job-store.ts';

export interface ShipProgress {
  shipId: string | null;
  rowsEstimate: number;
  rowsDone: number;
  chunks: number;
  chunksDone: number;
  running: number;
}

export interface ProgressSnapshot {
  jobId: string;
  rowsDone: number;
  rowsTotal: number;
  rowsPerSecond: number;
  etaSeconds: number | null;
  elapsedSeconds: number;
  chunks: number;
  chunksDone: number;
  ships: ShipProgress[];
}

/**
 * Progress of one job: rows acknowledged so far (done chunks plus the acknowledged part of running
 * ones), rate over the recent window, ETA from the estimate. Pure bookkeeping; renderers read snapshots.
 */
export class ProgressTracker {
  private readonly jobId: string;
  private readonly ships = new Map<string | null, ShipProgress>();
  private readonly inChunk = new Map<number, number>();
  private readonly started: number;
  private readonly now: () => number;
  private rowsDone = 0;
  private rowsTotal = 0;
  private window: Array<{ t: number; rows: number }> = [];

  constructor(jobId: string, chunks: readonly ChunkRecord[], now: () => number = () => performance.now()) {
    this.jobId = jobId;
    this.now = now;
    this.started = now();
    for (const c of chunks) {
      const s = this.ship(c.shipId);
      s.rowsEstimate += c.rowsEstimate;
      s.chunks++;
      this.rowsTotal += c.rowsEstimate;
      if (c.status === 'done') {
        s.chunksDone++;
        s.rowsDone += c.rows ?? 0;
        this.rowsDone += c.rows ?? 0;
      }
    }
    this.window.push({ t: this.started, rows: this.rowsDone });
  }

  chunkStarted(chunk: ChunkRecord): void {
    this.ship(chunk.shipId).running++;
    this.inChunk.set(chunk.id, 0);
  }

  rows(chunk: ChunkRecord, n: number): void {
    this.inChunk.set(chunk.id, (this.inChunk.get(chunk.id) ?? 0) + n);
    this.ship(chunk.shipId).rowsDone += n;
    this.rowsDone += n;
  }

  /** A finished (or failed) attempt: the chunk's rows count only if it is done; a retry starts again. */
  chunkEnded(chunk: ChunkRecord, done: boolean): void {
    const s = this.ship(chunk.shipId);
    s.running--;
    if (done) s.chunksDone++;
    else {
      const partial = this.inChunk.get(chunk.id) ?? 0;
      s.rowsDone -= partial;
      this.rowsDone -= partial;
    }
    this.inChunk.delete(chunk.id);
  }

  /** 0..1 per ship, for the progress gauge (estimates can be exceeded by rows written since planning). */
  shipRatio(shipId: string | null): number {
    const s = this.ship(shipId);
    if (s.chunks > 0 && s.chunksDone === s.chunks) return 1;
    return s.rowsEstimate === 0 ? 0 : Math.min(1, s.rowsDone / s.rowsEstimate);
  }

  snapshot(): ProgressSnapshot {
    const t = this.now();
    this.window.push({ t, rows: this.rowsDone });
    while (this.window.length > 2 && t - this.window[0]!.t > 10_000) this.window.shift();
    const first = this.window[0]!;
    const dt = (t - first.t) / 1000;
    const rate = dt > 0 ? (this.rowsDone - first.rows) / dt : 0;
    const left = Math.max(0, this.rowsTotal - this.rowsDone);
    let chunks = 0;
    let chunksDone = 0;
    for (const s of this.ships.values()) {
      chunks += s.chunks;
      chunksDone += s.chunksDone;
    }
    return {
      jobId: this.jobId,
      rowsDone: this.rowsDone,
      rowsTotal: this.rowsTotal,
      rowsPerSecond: rate,
      etaSeconds: rate > 0 ? left / rate : null,
      elapsedSeconds: (t - this.started) / 1000,
      chunks,
      chunksDone,
      ships: [...this.ships.values()],
    };
  }

  private ship(shipId: string | null): ShipProgress {
    let s = this.ships.get(shipId);
    if (!s) {
      s = { shipId, rowsEstimate: 0, rowsDone: 0, chunks: 0, chunksDone: 0, running: 0 };
      this.ships.set(shipId, s);
    }
    return s;
  }
}
