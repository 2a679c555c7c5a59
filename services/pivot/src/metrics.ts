import { Counter, Gauge, Histogram, latencyBucketsSeconds, type Registry } from '@fleetpivot/telemetry';

export type PivotMetrics = ReturnType<typeof createPivotMetrics>;

/** The pivot's Prometheus metrics, registered on the service's registry. */
export function createPivotMetrics(registry: Registry) {
  const registers = [registry];
  return {
    lag: new Gauge({ name: 'fleetpivot_pivot_consumer_lag_messages', help: 'Log end offset minus committed offset, per partition (sampled)', labelNames: ['topic', 'partition'], registers }),
    messages: new Counter({ name: 'fleetpivot_pivot_messages_total', help: 'Kafka messages applied (or parked)', registers }),
    cells: new Counter({ name: 'fleetpivot_pivot_cells_applied_total', help: 'Wide cells set, cleared or filled', registers }),
    rows: new Counter({ name: 'fleetpivot_pivot_rows_applied_total', help: 'Wide part-table rows merged', registers }),
    batchMessages: new Histogram({ name: 'fleetpivot_pivot_batch_messages', help: 'Messages per applied partition batch', buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 5000], registers }),
    applySeconds: new Histogram({ name: 'fleetpivot_pivot_apply_seconds', help: 'Time to apply one partition batch (DDL + transaction)', buckets: latencyBucketsSeconds, registers }),
    endToEndSeconds: new Histogram({ name: 'fleetpivot_pivot_end_to_end_seconds', help: 'Source commit time to applied in the wide table (live batches)', buckets: latencyBucketsSeconds, registers }),
    ddl: new Counter({ name: 'fleetpivot_pivot_ddl_total', help: 'Wide tables created and columns added', labelNames: ['kind'], registers }),
    parked: new Counter({ name: 'fleetpivot_pivot_parked_total', help: 'Changes or messages parked in the dead-letter topic and table', labelNames: ['reason'], registers }),
    overflow: new Counter({ name: 'fleetpivot_pivot_overflow_values_total', help: 'Values kept in _overflow because their column type cannot hold them losslessly', registers }),
    pausedPartitions: new Gauge({ name: 'fleetpivot_pivot_paused_partitions', help: 'Partitions paused because they hold a paused ship', registers }),
    fencedMessages: new Counter({ name: 'fleetpivot_pivot_fenced_backfill_messages_total', help: 'Backfill messages dropped: their job is older than their ship\'s rollback', registers }),
    tombstonesPruned: new Counter({ name: 'fleetpivot_pivot_tombstones_pruned_total', help: 'Cell tombstones deleted once no older backfill value could still arrive', registers }),
    applyErrors: new Counter({ name: 'fleetpivot_pivot_apply_errors_total', help: 'Partition batches that failed to apply (redelivered)', registers }),
  };
}
