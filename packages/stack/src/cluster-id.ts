import { randomBytes } from 'node:crypto';

/**
 * A KRaft cluster id: 16 random bytes in base64url, as Kafka's own `Uuid.randomUuid()` makes them.
 * base64url uses '-', and one id in 64 starts with it; StorageTool's argument parser then reads the
 * id as an option and fails with "argument --cluster-id/-t: expected one argument". Kafka redraws
 * such ids, and so do we.
 */
export function kafkaClusterId(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
