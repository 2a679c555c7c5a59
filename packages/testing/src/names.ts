import { randomBytes } from 'node:crypto';

/** A lower-case name unique across parallel test workers and reruns (topics, groups, slots, databases). */
export function uniqueName(prefix: string): string {
  const clean = prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 30);
  return `${clean}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}
