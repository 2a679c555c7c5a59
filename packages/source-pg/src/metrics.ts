import { Counter, Gauge, Histogram, latencyBucketsSeconds } from '@fleetpivot/telemetry';
import type { Registry } from '@fleetpivot/telemetry';

export interface CaptureMetrics {
  events: Counter;
  transactions: Counter;
  messages: Counter;
  bytes: Counter;
  confirmedLsn: Gauge;
  slotLag: Gauge;
  produceLatency: Histogram;
  errors: Counter<'kind'>;
  truncates: Counter;
  heartbeats: Counter;
  unchangedToast: Counter;
  active: Gauge;
}

export function createCaptureMetrics(registry: Registry): CaptureMetrics {
  const registers = [registry];
  return {
    events: new Counter({ name: 'fleetpivot_capture_events_total', help: 'Narrow-row changes acknowledged by Kafka', registers }),
    transactions: new Counter({ name: 'fleetpivot_capture_transactions_total', help: 'Source transactions decoded', registers }),
    messages: new Counter({ name: 'fleetpivot_capture_messages_total', help: 'Kafka messages (change batches) acknowledged', registers }),
    bytes: new Counter({ name: 'fleetpivot_capture_produced_bytes_total', help: 'Bytes of change batches acknowledged by Kafka', registers }),
    confirmedLsn: new Gauge({ name: 'fleetpivot_capture_confirmed_lsn_bytes', help: 'WAL position confirmed to PostgreSQL, as a byte offset', registers }),
    slotLag: new Gauge({ name: 'fleetpivot_capture_slot_lag_bytes', help: 'pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn) of the slot', registers }),
    produceLatency: new Histogram({ name: 'fleetpivot_capture_produce_latency_seconds', help: 'Duration of one acknowledged Kafka produce request', buckets: latencyBucketsSeconds, registers }),
    errors: new Counter({ name: 'fleetpivot_capture_errors_total', help: 'Errors by kind', labelNames: ['kind'], registers }),
    truncates: new Counter({ name: 'fleetpivot_capture_truncates_total', help: 'TRUNCATEs of the narrow table seen', registers }),
    heartbeats: new Counter({ name: 'fleetpivot_capture_heartbeats_total', help: 'Heartbeat logical messages written', registers }),
    unchangedToast: new Counter({ name: 'fleetpivot_capture_unchanged_toast_total', help: 'UPDATE values PostgreSQL did not resend (unchanged TOAST, no REPLICA IDENTITY FULL), encoded as null', registers }),
    active: new Gauge({ name: 'fleetpivot_capture_active', help: '1 while this instance is the active reader, 0 on standby', registers }),
  };
}
