import { renderable } from './time.ts';

/** Rows of one ship in one time bucket, as counted by the planning scan. */
export interface BucketCount {
  startUs: bigint;
  rows: number;
  /** The bucket's first and last created_time, when known: a heavy bucket is cut between them. */
  firstUs?: bigint;
  lastUs?: bigint;
}

export interface ShipStats {
  /** null: the rows whose ship_id is NULL (encoded and sent; the pivot parks them). */
  shipId: string | null;
  buckets: BucketCount[];
  /** Rows with ±infinity created_time: they fall in the unbounded first/last chunk. */
  infiniteRows: number;
  /** Rows with NULL created_time: one chunk of their own (only when the job has no time range). */
  nullTimeRows: number;
  /**
   * The counts are estimates from a sample (sampled-stats.ts), the ship itself is known to exist: it gets chunks
   * covering all its times even where the sample saw none of its rows.
   */
  estimated?: boolean;
  /** A sample cannot tell: give the ship a NULL-time chunk whatever nullTimeRows says (its created_time is nullable). */
  mayHaveNullTimes?: boolean;
}

/**
 * One unit of work: a ship and a half-open time range. `fromUs`/`toUs` null mean unbounded, so a ship's
 * chunks cover every created_time from -infinity to +infinity by construction: no row can fall between
 * chunks, whatever the estimates said.
 */
export interface ChunkSpec {
  shipId: string | null;
  fromUs: bigint | null;
  toUs: bigint | null;
  nullTime: boolean;
  rowsEstimate: number;
}

export interface PlanOptions {
  chunkRows: number;
  bucketUs: bigint;
  fromUs: bigint | null;
  toUs: bigint | null;
  order: 'smallest-first' | 'largest-first';
}

export function shipRows(s: ShipStats): number {
  return s.buckets.reduce((n, b) => n + b.rows, 0) + s.infiniteRows + s.nullTimeRows;
}

/** Ships ordered as asked (ties by id; the NULL ship last), each ship's chunks in time order. */
export function planChunks(ships: readonly ShipStats[], o: PlanOptions): ChunkSpec[] {
  const sorted = [...ships].sort((a, b) => {
    if ((a.shipId === null) !== (b.shipId === null)) return a.shipId === null ? 1 : -1;
    const d = o.order === 'smallest-first' ? shipRows(a) - shipRows(b) : shipRows(b) - shipRows(a);
    return d !== 0 ? d : (a.shipId ?? '') < (b.shipId ?? '') ? -1 : 1;
  });
  return sorted.flatMap((s) => planShip(s, o));
}

function planShip(s: ShipStats, o: PlanOptions): ChunkSpec[] {
  const chunks: ChunkSpec[] = [];
  const timed = s.buckets.reduce((n, b) => n + b.rows, 0) + s.infiniteRows;
  if (timed > 0 || s.estimated) {
    // Estimated counts are off by a few % (sampled-stats.ts): a ship sampled just over chunkRows stays one chunk.
    const cuts = cutPoints(s.buckets, o, s.estimated ? o.chunkRows * ESTIMATE_SLACK : o.chunkRows);
    const bounds = [o.fromUs, ...cuts.map((c) => c.atUs), o.toUs];
    const rows = [...cuts.map((c) => c.rowsBefore), s.buckets.reduce((n, b) => n + b.rows, 0)];
    for (let i = 0; i < bounds.length - 1; i++) {
      const before = i === 0 ? 0 : (rows[i - 1] ?? 0);
      chunks.push({ shipId: s.shipId, fromUs: bounds[i] ?? null, toUs: bounds[i + 1] ?? null, nullTime: false, rowsEstimate: (rows[i] ?? 0) - before });
    }
    // ±infinity rows sit in the open ends; count them there so estimates still add up.
    const edge = o.fromUs === null ? chunks[0] : chunks[chunks.length - 1];
    if (edge) edge.rowsEstimate += s.infiniteRows;
  }
  if ((s.nullTimeRows > 0 || s.mayHaveNullTimes) && o.fromUs === null && o.toUs === null) {
    chunks.push({ shipId: s.shipId, fromUs: null, toUs: null, nullTime: true, rowsEstimate: s.nullTimeRows });
  }
  return chunks;
}

/** How far over chunkRows an estimated ship or bucket may be and still make one chunk. */
export const ESTIMATE_SLACK = 1.25;

interface Cut {
  atUs: bigint;
  /** Rows (estimated) strictly before this cut. */
  rowsBefore: number;
}

/**
 * Where to cut a ship's time line so each piece holds about `chunkRows` rows: at bucket starts, and
 * inside a bucket that alone holds more (evenly in time between its first and last row, assuming rows spread
 * evenly there; a bucket of a day whose rows fill minutes would otherwise make one chunk of them all).
 */
function cutPoints(buckets: readonly BucketCount[], o: PlanOptions, chunkRows: number): Cut[] {
  const cuts: Cut[] = [];
  let total = 0;
  let sinceCut = 0;
  const add = (atUs: bigint, rowsBefore: number) => {
    const inside = (o.fromUs === null || atUs > o.fromUs) && (o.toUs === null || atUs < o.toUs);
    const last = cuts[cuts.length - 1];
    if (inside && renderable(atUs) && (!last || atUs > last.atUs)) cuts.push({ atUs, rowsBefore });
  };
  for (const b of [...buckets].sort((x, y) => (x.startUs < y.startUs ? -1 : 1))) {
    if (b.rows === 0) continue;
    if (sinceCut > 0 && sinceCut + b.rows > chunkRows) {
      add(b.startUs, total);
      sinceCut = 0;
    }
    const pieces = Math.ceil(b.rows / chunkRows);
    if (pieces > 1) {
      // Evenly over the span the bucket's rows really cover (the whole bucket when unknown).
      const from = b.firstUs ?? b.startUs;
      const span = b.firstUs !== undefined && b.lastUs !== undefined ? b.lastUs - b.firstUs + 1n : o.bucketUs;
      for (let i = 1; i < pieces; i++) add(from + (span * BigInt(i)) / BigInt(pieces), total + Math.round((b.rows * i) / pieces));
      sinceCut = b.rows - Math.round((b.rows * (pieces - 1)) / pieces);
    } else sinceCut += b.rows;
    total += b.rows;
  }
  return cuts;
}
