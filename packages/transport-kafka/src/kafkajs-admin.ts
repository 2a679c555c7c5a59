import type { Kafka } from 'kafkajs';
import { KafkaTransportError } from './errors.ts';
import { isUnknownTopic, waitForTopicLeaders } from './topic-leaders.ts';
import type { Admin, PartitionLag, TopicSpec } from './types.ts';

export async function createKafkajsAdmin(kafka: Kafka): Promise<Admin> {
  const admin = kafka.admin();
  await admin.connect();
  const wrap = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw new KafkaTransportError('admin_failed', what, { cause: err });
    }
  };
  const logEndOffsets = (topic: string) =>
    wrap(`fetch offsets of ${topic}`, async () => {
      const offsets = await admin.fetchTopicOffsets(topic);
      return new Map(offsets.map((o) => [o.partition, o.high]));
    });
  return {
    ensureTopic: (spec: TopicSpec) =>
      wrap(`create topic ${spec.topic}`, async () => {
        const existing = await admin.listTopics();
        if (existing.includes(spec.topic)) return;
        try {
          await admin.createTopics({
            waitForLeaders: true,
            topics: [
              {
                topic: spec.topic,
                numPartitions: spec.partitions,
                replicationFactor: spec.replicationFactor ?? 1,
                configEntries: Object.entries(spec.config ?? {}).map(([name, value]) => ({ name, value })),
              },
            ],
          });
        } catch (err) {
          // The topic was created; kafkajs gave up waiting for its leaders too early (topic-leaders.ts).
          if (!isUnknownTopic(err)) throw err;
          await waitForTopicLeaders(admin, spec.topic, spec.partitions);
        }
      }),
    listTopics: () => wrap('list topics', () => admin.listTopics()),
    deleteTopics: (topics) => wrap(`delete topics ${topics.join(',')}`, () => admin.deleteTopics({ topics: [...topics] })),
    partitionCount: (topic) =>
      wrap(`describe ${topic}`, async () => {
        const meta = await admin.fetchTopicMetadata({ topics: [topic] });
        return meta.topics[0]?.partitions.length ?? 0;
      }),
    logEndOffsets,
    groupLag: (groupId, topic) =>
      wrap(`fetch lag of group ${groupId}`, async () => {
        const ends = await logEndOffsets(topic);
        const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
        const lags: PartitionLag[] = [];
        for (const p of committed[0]?.partitions ?? []) {
          const logEnd = ends.get(p.partition) ?? '0';
          const c = p.offset === '-1' ? null : p.offset;
          lags.push({ topic, partition: p.partition, committed: c, logEnd, lag: Number(BigInt(logEnd) - BigInt(c ?? '0')) });
        }
        return lags.sort((a, b) => a.partition - b.partition);
      }),
    close: () => admin.disconnect(),
  };
}
