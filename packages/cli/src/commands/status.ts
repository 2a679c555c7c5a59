import { changeTopic } from '@fleetpivot/events';
import { pipelineStatus } from '@fleetpivot/control';
import { createKafkajsTransport } from '@fleetpivot/transport-kafka';
import { silentLogger } from '@fleetpivot/telemetry';
import type { Command } from '../command.ts';
import { parseOptions } from '../args.ts';
import { connect, connectionOptions, connectionUsage } from '../connections.ts';

export const status: Command = {
  name: 'status',
  summary: 'slot lag, consumer lag per partition, ships and channels, pauses, rollback fences, parked events, backfill jobs',
  usage: `fleetpivot status [--group G] [--topic-prefix P] [--json]
  --group G            the pivot consumer group (default fleetpivot-pivot)
  --topic-prefix P     the topic prefix (default fleetpivot)
${connectionUsage}`,
  run: async (args, io) => {
    const values = parseOptions(args, { ...connectionOptions, group: { type: 'string' }, 'topic-prefix': { type: 'string' }, json: { type: 'boolean' } });
    const c = await connect(values, io);
    const transport = createKafkajsTransport({ brokers: c.kafkaBrokers, clientId: 'fleetpivot-cli', logger: silentLogger() });
    const admin = await transport.admin();
    try {
      const topic = changeTopic(typeof values['topic-prefix'] === 'string' ? values['topic-prefix'] : 'fleetpivot');
      const s = await pipelineStatus(c.target, c.source, admin, { groupId: typeof values.group === 'string' ? values.group : 'fleetpivot-pivot', topic });
      if (values.json) {
        io.stdout(JSON.stringify(s));
        return 0;
      }
      for (const slot of s.slots) io.stdout(`slot ${slot.slot}: ${slot.active ? 'active' : 'inactive'}, confirmed ${slot.confirmedLsn}, lag ${slot.lagBytes} bytes`);
      if (s.slots.length === 0) io.stdout('no pgoutput replication slot in the source database (is the capture running?)');
      const lag = s.consumerLag.reduce((n, p) => n + p.lag, 0);
      io.stdout(`topic ${topic}: consumer lag ${lag} messages over ${s.consumerLag.length} partitions${s.consumerLag.length ? ` (${s.consumerLag.map((p) => `${p.partition}:${p.lag}`).join(' ')})` : ''}`);
      io.stdout(`wide tables: ${s.ships} ships, ${s.channels} channel columns; parked events: ${s.deadLetters}`);
      io.stdout(`paused: ${s.pauses.length === 0 ? 'nothing' : s.pauses.map((p) => `${p.ship}${p.reason ? ` (${p.reason})` : ''}`).join(', ')}`);
      if (s.fences.length > 0) io.stdout(`rolled back, older backfill jobs fenced: ${s.fences.map((f) => `${f.ship} (jobs <= ${f.backfillJobFence})`).join(', ')}`);
      for (const j of s.backfillJobs) io.stdout(`backfill job ${j.id}: ${j.status}, ${j.rowsDone}/${j.rowsTotal} rows`);
      return 0;
    } finally {
      await admin.close();
      await c.close();
    }
  },
};
