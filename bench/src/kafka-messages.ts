// Real ChangeBatch messages at fleetpivot's two event sizes, encoded with the events codec:
// a LIVE batch (one ship's 15-second tick: one change per channel) and a BACKFILL slice (many steps).
import { ChangeBatchCodec, SCHEMA_VERSION_HEADER, shipKey, type Change, type ChangeBatch } from '@fleetpivot/events';
import { createFleet, type ChannelState } from '@fleetpivot/simulator';
import type { OutgoingMessage } from '@fleetpivot/transport-kafka';

export interface MessageKind {
  name: string;
  changesPerMessage: number;
  messages: OutgoingMessage[];
  bytes: number;
}

function changesFor(channels: readonly ChannelState[], step: number, op: Change['op']): Change[] {
  return channels.map(({ model }) => {
    const v = model.value(step);
    return {
      op,
      data_channel_id: model.channelId,
      created_time_us: step * 15_000_000,
      value_format: model.format,
      double_v: v.double_v,
      long_v: v.long_v === null ? null : BigInt(v.long_v),
      str_v: v.str_v,
      bool_v: v.bool_v,
      old: null,
    };
  });
}

/** `count` messages of one kind spread over `ships` keys (so they spread over partitions, as a fleet does). */
export function buildMessages(kind: 'live' | 'backfill', channels: number, count: number, ships = 50): MessageKind {
  const codec = new ChangeBatchCodec();
  const fleet = createFleet({ seed: 6, ships, channels }, 0);
  const stepsPerMessage = kind === 'live' ? 1 : 10;
  const messages: OutgoingMessage[] = [];
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const ship = fleet.ships[i % ships]!;
    const firstStep = 116_000_000 + Math.floor(i / ships) * stepsPerMessage;
    const changes: Change[] = [];
    for (let s = 0; s < stepsPerMessage; s++) changes.push(...changesFor(ship.channels, firstStep + s, kind === 'live' ? 'INSERT' : 'BACKFILL'));
    const batch: ChangeBatch = {
      ship_id: ship.shipId,
      source: { kind: kind === 'live' ? 'LIVE' : 'BACKFILL', lsn: '16/B374D848', commit_time_us: Date.now() * 1000, xid: i, job_id: kind === 'live' ? null : 'bench', chunk_id: kind === 'live' ? null : String(i) },
      changes,
    };
    const value = codec.encode(batch);
    bytes += value.length;
    messages.push({ key: shipKey(ship.shipId), value, headers: { [SCHEMA_VERSION_HEADER]: String(codec.version) } });
  }
  return { name: `${kind} (${channels * stepsPerMessage} changes)`, changesPerMessage: channels * stepsPerMessage, messages, bytes };
}
