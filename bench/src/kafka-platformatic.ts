// @platformatic/kafka is a dev-only comparison client: loaded by name at run time so the rest of the
// harness (and the typecheck) works where it is not installed; then its figures say so.
import type { StackInfo } from '@fleetpivot/stack';
import { uniqueName } from '@fleetpivot/testing';
import type { ClientUnderTest } from './kafka-clients.ts';

interface PfMessageStream extends AsyncIterable<unknown> {
  close(): Promise<void>;
}
interface PfProducer {
  send(options: { messages: { topic: string; key?: Buffer; value: Buffer; headers?: Map<Buffer, Buffer> }[] }): Promise<unknown>;
  close(force?: boolean): Promise<void>;
}
interface PfConsumer {
  consume(options: { topics: string[]; mode: string; autocommit: boolean; maxWaitTime: number }): Promise<PfMessageStream>;
  close(force?: boolean): Promise<void>;
}
export interface PlatformaticModule {
  Producer: new (options: Record<string, unknown>) => PfProducer;
  Consumer: new (options: Record<string, unknown>) => PfConsumer;
}

const MODULE = '@platformatic/kafka';

export async function loadPlatformatic(): Promise<PlatformaticModule | string> {
  try {
    return (await import(MODULE)) as PlatformaticModule;
  } catch {
    return `not installed: npm install --save-dev ${MODULE} to compare it`;
  }
}

const SEND_BATCH = 100;

export function platformaticClient(pf: PlatformaticModule, stack: StackInfo): ClientUnderTest {
  return {
    async produce(topic, messages) {
      // The same guarantees as our kafkajs adapter: idempotent, acks=all (-1), no compression.
      const producer = new pf.Producer({ clientId: 'fleetpivot-bench-pf', bootstrapBrokers: stack.kafkaBrokers, idempotent: true, acks: -1 });
      try {
        for (let i = 0; i < messages.length; i += SEND_BATCH) {
          await producer.send({
            messages: messages.slice(i, i + SEND_BATCH).map((m) => ({
              topic,
              ...(m.key ? { key: m.key } : {}),
              value: m.value,
              // Without serializers it sends bytes as given: header keys and values must be Buffers.
              ...(m.headers ? { headers: new Map(Object.entries(m.headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])) } : {}),
            })),
          });
        }
      } finally {
        await producer.close();
      }
    },
    async consume(topic, expected) {
      const consumer = new pf.Consumer({ clientId: 'fleetpivot-bench-pf', groupId: uniqueName('bench_pf'), bootstrapBrokers: stack.kafkaBrokers });
      try {
        const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false, maxWaitTime: 100 });
        let seen = 0;
        for await (const _message of stream) {
          if (++seen >= expected) break;
        }
        await stream.close().catch(() => undefined);
      } finally {
        await consumer.close(true);
      }
    },
  };
}
