import { describe, expect, it } from 'vitest';
import { ChangeBatchCodec } from '@fleetpivot/events';
import type { OutgoingMessage } from '@fleetpivot/transport-kafka';
import { createRegistry, silentLogger } from '@fleetpivot/telemetry';
import { CapturePipeline } from './pipeline.ts';
import type { Relation } from './pgoutput.ts';
import { createCaptureMetrics } from './metrics.ts';

const relation: Relation = {
  oid: 1,
  schema: 'tenant',
  name: 'tbl_data_timeseries',
  replicaIdentity: 'default',
  columns: ['ship_id', 'data_channel_id', 'created_time', 'value_format', 'double_v', 'long_v', 'str_v', 'bool_v'].map((name) => ({ name, isKey: false, typeOid: 25 })),
};
const row = (ship: string, i: number) => [ship, `c${i}`, '2024-01-01 00:00:00+00', 'Integer', null, String(i), null, null];

function setup() {
  const sent: OutgoingMessage[] = [];
  const confirmed: bigint[] = [];
  const codec = new ChangeBatchCodec();
  const sender = { enqueue: (m: OutgoingMessage) => sent.push(m), waitFor: async () => undefined, get lastSeq() { return sent.length; } };
  const pipeline = new CapturePipeline(
    { table: { schema: 'tenant', table: 'tbl_data_timeseries' }, batcher: { maxChanges: 100, maxBytes: 1e6, txBufferMaxBytes: 1e7 }, partitions: 2, encode: (b) => codec.encode(b), schemaVersion: 1, onConfirmable: (l) => confirmed.push(l) },
    sender,
    100n,
    silentLogger(),
    createCaptureMetrics(createRegistry('t')),
  );
  return { pipeline, sent, confirmed, codec };
}

describe('CapturePipeline', () => {
  it('confirms a commit only after Kafka acked its messages, and heartbeats between transactions', async () => {
    const { pipeline, sent, confirmed, codec } = setup();
    await pipeline.handle({ tag: 'relation', relation });
    await pipeline.handle({ tag: 'begin', finalLsn: 200n, commitTimeUs: 1_000_000n, xid: 7 });
    await pipeline.handle({ tag: 'insert', relationOid: 1, new: row('A', 1) });
    await pipeline.handle({ tag: 'insert', relationOid: 1, new: row('B', 2) });
    await pipeline.handle({ tag: 'insert', relationOid: 1, new: row('A', 3) });
    await pipeline.handle({ tag: 'commit', commitLsn: 200n, endLsn: 210n, commitTimeUs: 1_000_000n });
    expect(sent.map((m) => m.key?.toString())).toEqual(['A', 'B']);
    expect(codec.decode(sent[0]!.value).changes.map((c) => c.long_v)).toEqual([1, 3]);
    expect(codec.decode(sent[0]!.value).source).toMatchObject({ lsn: '0/C8', xid: 7, commit_time_us: 1_000_000 });
    expect(confirmed).toEqual([]);
    pipeline.acked(1);
    expect(confirmed).toEqual([]);
    pipeline.acked(2);
    expect(confirmed).toEqual([210n]);
    await pipeline.handle({ tag: 'message', transactional: false, lsn: 300n, prefix: 'fleetpivot.heartbeat', content: Buffer.alloc(0) });
    expect(confirmed).toEqual([210n, 300n]);
  });

  it('ignores other tables and, once stopping, everything', async () => {
    const { pipeline, sent } = setup();
    await pipeline.handle({ tag: 'relation', relation: { ...relation, oid: 2, name: 'other' } });
    await pipeline.handle({ tag: 'begin', finalLsn: 200n, commitTimeUs: 0n, xid: 1 });
    await pipeline.handle({ tag: 'insert', relationOid: 2, new: row('A', 1) });
    await pipeline.handle({ tag: 'commit', commitLsn: 200n, endLsn: 210n, commitTimeUs: 0n });
    expect(sent).toEqual([]);
    pipeline.stopAccepting();
    await pipeline.handle({ tag: 'relation', relation });
    await pipeline.handle({ tag: 'begin', finalLsn: 300n, commitTimeUs: 0n, xid: 2 });
    await pipeline.handle({ tag: 'insert', relationOid: 1, new: row('A', 1) });
    await pipeline.handle({ tag: 'commit', commitLsn: 300n, endLsn: 310n, commitTimeUs: 0n });
    expect(sent).toEqual([]);
  });
});
