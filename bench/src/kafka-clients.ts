// Scenario 5: Kafka client throughput for our event sizes, kafkajs (through our own transport adapter,
// acks=all idempotent, as production runs it) next to @platformatic/kafka with the same guarantees,
// same broker, same messages, same run. Produce: sequential awaited sends of 100 messages;
// consume: a fresh group reading the topic from the beginning until every message arrived.
import { createKafkajsTransport, type OutgoingMessage } from '@fleetpivot/transport-kafka';
import { silentLogger } from '@fleetpivot/telemetry';
import { uniqueName } from '@fleetpivot/testing';
import type { StackInfo } from '@fleetpivot/stack';
import { compare, log, measured, notMeasured, seconds, withTimeout, type Measurement, type RunOptions, type ScenarioResult } from './harness.ts';
import { buildMessages } from './kafka-messages.ts';
import { loadPlatformatic, platformaticClient } from './kafka-platformatic.ts';

export interface ClientUnderTest {
  produce(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
  consume(topic: string, expected: number): Promise<void>;
}

const SEND_BATCH = 100;
const PARTITIONS = 3;

function kafkajsClient(stack: StackInfo): ClientUnderTest {
  const transport = createKafkajsTransport({ brokers: stack.kafkaBrokers, clientId: 'fleetpivot-bench', logger: silentLogger() });
  return {
    async produce(topic, messages) {
      const producer = await transport.producer();
      try {
        for (let i = 0; i < messages.length; i += SEND_BATCH) await producer.send(topic, messages.slice(i, i + SEND_BATCH));
      } finally {
        await producer.close();
      }
    },
    async consume(topic, expected) {
      const consumer = await transport.consumer({ groupId: uniqueName('bench_kafkajs'), maxWaitMs: 100 });
      let seen = 0;
      let done!: () => void;
      const all = new Promise<void>((resolve) => (done = resolve));
      try {
        await consumer.subscribe([topic], true);
        await consumer.run({
          partitionsConcurrently: PARTITIONS,
          eachBatch: async (batch) => {
            seen += batch.messages.length;
            if (seen >= expected) done();
          },
        });
        await all;
      } finally {
        await consumer.close();
      }
    },
  };
}

export async function kafkaClientScenario(stack: StackInfo, options: RunOptions): Promise<ScenarioResult> {
  const started = process.hrtime.bigint();
  const transport = createKafkajsTransport({ brokers: stack.kafkaBrokers, clientId: 'fleetpivot-bench-admin', logger: silentLogger() });
  const admin = await transport.admin();
  const platformatic = await loadPlatformatic();
  const clients: [string, ClientUnderTest | string][] = [
    ['kafkajs', kafkajsClient(stack)],
    ['@platformatic/kafka', typeof platformatic === 'string' ? platformatic : platformaticClient(platformatic, stack)],
  ];
  const kinds = [buildMessages('live', 200, options.quick ? 2_000 : 10_000), buildMessages('backfill', 200, options.quick ? 300 : 1_500)];
  const measurements: Measurement[] = [];
  const comparisons = [];
  const params: Record<string, unknown> = { partitions: PARTITIONS, sendBatch: SEND_BATCH };
  try {
    for (const kind of kinds) {
      const avg = Math.round(kind.bytes / kind.messages.length);
      params[kind.name] = { messages: kind.messages.length, avgBytes: avg };
      log(`  ${kind.name}: ${kind.messages.length} messages, ${avg} bytes each`);
      const produce: Record<string, number[]> = {};
      const consume: Record<string, number[]> = {};
      const failed: Record<string, string> = {};
      for (let r = 0; r < options.repeats; r++) {
        for (const [name, client] of clients) {
          if (typeof client === 'string' || failed[name]) continue;
          const topic = uniqueName('bench_clients');
          await admin.ensureTopic({ topic, partitions: PARTITIONS, config: { 'max.message.bytes': '16777216' } });
          try {
            let t = process.hrtime.bigint();
            await withTimeout(`${name} produce`, 180_000, client.produce(topic, kind.messages));
            (produce[name] ??= []).push((kind.messages.length * kind.changesPerMessage) / seconds(t));
            t = process.hrtime.bigint();
            await withTimeout(`${name} consume`, 180_000, client.consume(topic, kind.messages.length));
            (consume[name] ??= []).push((kind.messages.length * kind.changesPerMessage) / seconds(t));
            log(`    ${name}: produce ${Math.round(produce[name]!.at(-1)!)} changes/s, consume ${Math.round(consume[name]!.at(-1)!)} changes/s`);
          } catch (err) {
            failed[name] = `failed: ${err instanceof Error ? err.message : String(err)}`;
          } finally {
            await admin.deleteTopics([topic]).catch(() => undefined);
          }
        }
      }
      const kindMeasurements: Measurement[] = [];
      for (const [name, client] of clients) {
        for (const [metric, samples] of [[`produce ${kind.name}`, produce[name]], [`consume ${kind.name}`, consume[name]]] as const) {
          const reason = typeof client === 'string' ? client : failed[name];
          kindMeasurements.push(samples?.length ? measured(name, metric, 'changes/s', true, samples, { bytesPerMessage: avg, changesPerMessage: kind.changesPerMessage }) : notMeasured(name, metric, 'changes/s', true, reason ?? 'no samples'));
        }
      }
      measurements.push(...kindMeasurements);
      for (const metric of [`produce ${kind.name}`, `consume ${kind.name}`]) comparisons.push(...compare(kindMeasurements, metric, '@platformatic/kafka', ['kafkajs']));
    }
  } finally {
    await admin.close();
  }
  return { id: 'kafka/clients', title: 'Kafka client throughput (same broker, same messages)', params, measurements, comparisons, elapsedS: seconds(started) };
}
