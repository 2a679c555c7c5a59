import { describe, expect, it } from 'vitest';
import { ConfigError, env, parseConfig, z } from './index.ts';

const schema = z.object({
  FLEETPIVOT_BATCH_MAX_MS: env.int(200, { min: 1 }),
  FLEETPIVOT_SLOT: env.sqlName('fleetpivot_slot'),
  KAFKA_BROKERS: env.list('127.0.0.1:9092'),
  FLEETPIVOT_TYPED: env.bool(true),
});

describe('parseConfig', () => {
  it('applies documented defaults', () => {
    expect(parseConfig(schema, {})).toEqual({
      FLEETPIVOT_BATCH_MAX_MS: 200,
      FLEETPIVOT_SLOT: 'fleetpivot_slot',
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      FLEETPIVOT_TYPED: true,
    });
  });
  it('names every bad key and the value it got', () => {
    try {
      parseConfig(schema, { FLEETPIVOT_BATCH_MAX_MS: 'soon', FLEETPIVOT_SLOT: 'Bad-Slot"', FLEETPIVOT_TYPED: 'maybe' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as Error).message;
      expect(message).toContain('FLEETPIVOT_BATCH_MAX_MS');
      expect(message).toContain('"soon"');
      expect(message).toContain('FLEETPIVOT_SLOT');
      expect(message).toContain('FLEETPIVOT_TYPED');
    }
  });
});
