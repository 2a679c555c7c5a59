import { createKafkajsTransport, type KafkaTransport } from '@fleetpivot/transport-kafka';
import { silentLogger } from '@fleetpivot/telemetry';
import type { StackInfo } from '@fleetpivot/stack';
import { uniqueName } from './names.ts';

export function testTransport(stack: StackInfo, clientId = 'fleetpivot-test'): KafkaTransport {
  return createKafkajsTransport({ brokers: stack.kafkaBrokers, clientId, logger: silentLogger() });
}

export interface TestTopic {
  topic: string;
  delete(): Promise<void>;
}

/** A topic of its own for one test, deleted afterwards. */
export async function createTestTopic(stack: StackInfo, options: { partitions?: number; prefix?: string } = {}): Promise<TestTopic> {
  const transport = testTransport(stack);
  const topic = uniqueName(options.prefix ?? 'test');
  const admin = await transport.admin();
  try {
    await admin.ensureTopic({ topic, partitions: options.partitions ?? 3, config: { 'max.message.bytes': '16777216' } });
  } finally {
    await admin.close();
  }
  return {
    topic,
    async delete() {
      const a = await transport.admin();
      try {
        await a.deleteTopics([topic]);
      } finally {
        await a.close();
      }
    },
  };
}
