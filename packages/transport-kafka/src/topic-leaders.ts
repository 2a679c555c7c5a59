import type { Admin as KafkajsAdmin } from 'kafkajs';

/**
 * After CreateTopics a broker may answer metadata requests for the new topic with UNKNOWN_TOPIC_OR_PARTITION
 * (code 3) until the topic's metadata has propagated; kafkajs's `waitForLeaders` poll retries only
 * LEADER_NOT_AVAILABLE and throws on it (kafkajs issues #1222, #815; seen here once in a CI run).
 */
export function isUnknownTopic(err: unknown): boolean {
  for (let e: unknown = err; e !== null && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const { type, code } = e as { type?: unknown; code?: unknown };
    if (type === 'UNKNOWN_TOPIC_OR_PARTITION' || code === 3) return true;
  }
  return false;
}

/** Polls the topic's metadata until it has `partitions` partitions, each with a leader; throws after `timeoutMs`. */
export async function waitForTopicLeaders(admin: Pick<KafkajsAdmin, 'fetchTopicMetadata'>, topic: string, partitions: number, timeoutMs = 30_000, pollMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no metadata yet';
  for (;;) {
    try {
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      const found = meta.topics[0]?.partitions ?? [];
      if (found.length >= partitions && found.every((p) => p.leader >= 0)) return;
      last = `${found.length} of ${partitions} partitions, ${found.filter((p) => p.leader >= 0).length} with a leader`;
    } catch (err) {
      if (!isUnknownTopic(err) && (err as { type?: unknown }).type !== 'LEADER_NOT_AVAILABLE') throw err;
      last = (err as Error).message;
    }
    if (Date.now() >= deadline) throw new Error(`topic ${topic} has no leader for every partition after ${timeoutMs} ms (${last})`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
