import { describe, expect, it } from 'vitest';
import { createRegistry } from '@fleetpivot/telemetry';
import { createBackfillMetrics } from './metrics.ts';

describe('createBackfillMetrics', () => {
  it('registers once per registry, so several jobs in one process share the metrics', async () => {
    const registry = createRegistry('backfill-unit');
    const a = createBackfillMetrics(registry);
    a.rows.inc({ job: '1' }, 5);
    expect(createBackfillMetrics(registry)).toBe(a);
    expect(await registry.metrics()).toContain('fleetpivot_backfill_rows_total{job="1",service="backfill-unit"} 5');
  });
});
