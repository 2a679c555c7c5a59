import { describe, expect, it } from 'vitest';
import { isUnknownTopic, waitForTopicLeaders } from './topic-leaders.ts';

const unknown = Object.assign(new Error('This server does not host this topic-partition'), { type: 'UNKNOWN_TOPIC_OR_PARTITION', code: 3, retriable: true });
const meta = (leaders: number[]) => ({ topics: [{ name: 't', partitions: leaders.map((leader, partitionId) => ({ partitionId, leader, replicas: [0], isr: [0], partitionErrorCode: 0, offlineReplicas: [] })) }] });

/** A kafkajs admin whose metadata answers come from `answers` in turn (an Error is thrown). */
function fakeAdmin(answers: (Error | ReturnType<typeof meta>)[]) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    fetchTopicMetadata: async () => {
      const a = answers[Math.min(calls++, answers.length - 1)]!;
      if (a instanceof Error) throw a;
      return a;
    },
  };
}

describe('waiting for a new topic', () => {
  it('recognises UNKNOWN_TOPIC_OR_PARTITION, also as a cause', () => {
    expect(isUnknownTopic(unknown)).toBe(true);
    expect(isUnknownTopic(new Error('wrapped', { cause: unknown }))).toBe(true);
    expect(isUnknownTopic(new Error('other'))).toBe(false);
    expect(isUnknownTopic(null)).toBe(false);
  });

  it('polls through unknown-topic answers and partitions without a leader until every one has one', async () => {
    const admin = fakeAdmin([unknown, unknown, meta([0, -1]), meta([0, 0])]);
    await waitForTopicLeaders(admin, 't', 2, 5_000, 1);
    expect(admin.calls).toBe(4);
  });

  it('fails on any other error at once, and on a deadline naming what it last saw', async () => {
    await expect(waitForTopicLeaders(fakeAdmin([new Error('denied')]), 't', 1, 5_000, 1)).rejects.toThrow('denied');
    await expect(waitForTopicLeaders(fakeAdmin([meta([0])]), 't', 2, 20, 1)).rejects.toThrow(/topic t has no leader for every partition after 20 ms \(1 of 2 partitions, 1 with a leader\)/);
  });
});
