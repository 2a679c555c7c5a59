/**
 * One COPY transaction of history: sample steps [fromStep, toStep) × series [fromSeries, toSeries), where
 * series = ship × channels + channel. Rows go series by series, each in time order: a keyed table's index
 * then grows at ~one leaf per series instead of touching every leaf for every step (4-5× faster with a key).
 */
export interface HistoryChunk {
  fromStep: number;
  toStep: number;
  fromSeries: number;
  toSeries: number;
}

export const chunkRows = (c: HistoryChunk): number => (c.toStep - c.fromStep) * (c.toSeries - c.fromSeries);

/**
 * Splits steps [firstStep, endStep) of `series` series into chunks of at most `maxRows` rows, time windows of
 * whole steps where they fit. `skip` leaves out the first series of the oldest step (exact row counts).
 */
export function planHistoryChunks(firstStep: number, endStep: number, series: number, skip: number, maxRows: number): HistoryChunk[] {
  const chunks: HistoryChunk[] = [];
  if (series === 0 || endStep <= firstStep) return chunks;
  const splitStep = (step: number, fromSeries: number): void => {
    for (let a = fromSeries; a < series; a += maxRows) chunks.push({ fromStep: step, toStep: step + 1, fromSeries: a, toSeries: Math.min(series, a + maxRows) });
  };
  let step = firstStep;
  if (skip > 0 || series > maxRows) {
    splitStep(step, skip);
    step++;
  }
  if (series > maxRows) {
    for (; step < endStep; step++) splitStep(step, 0);
    return chunks;
  }
  const window = Math.max(1, Math.floor(maxRows / series));
  for (; step < endStep; step += window) chunks.push({ fromStep: step, toStep: Math.min(endStep, step + window), fromSeries: 0, toSeries: series });
  return chunks;
}
