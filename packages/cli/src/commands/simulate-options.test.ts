import { describe, expect, it } from 'vitest';
import { UsageError } from '../command.ts';
import { parseSimulateArgs } from './simulate-options.ts';

const usageError = (args: string[]): string => {
  try {
    parseSimulateArgs(args);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`no error for ${args.join(' ')}`);
};

describe('fleetpivot simulate options', () => {
  it('has documented defaults', () => {
    const o = parseSimulateArgs(['--history-days', '0.5']);
    expect(o).toMatchObject({ ships: 10, channels: 50, seed: 1, sampleMs: 15_000, primaryKey: true, replicaIdentityFull: false, url: undefined, live: undefined });
    expect(o.history).toMatchObject({ days: 0.5, chunkRows: 200_000 });
  });

  it('parses every flag', () => {
    const o = parseSimulateArgs([
      '--url', 'postgres://u@h:1/d', '--ships', '3', '--channels', '7', '--seed', '42', '--no-primary-key', '--replica-identity-full',
      '--history-rows', '1000', '--history-end', '2025-01-01T00:00:00Z', '--live', '--interval-ms', '1000', '--batch-ms', '60000',
      '--ticks', '5', '--late-rate', '0.1', '--update-rate', '0.01', '--delete-rate', '0.02', '--new-channel-rate', '0.3', '--new-ship-rate', '0.4', '--json',
    ]);
    expect(o).toMatchObject({ url: 'postgres://u@h:1/d', ships: 3, channels: 7, seed: 42, primaryKey: false, replicaIdentityFull: true, json: true });
    expect(o.history).toMatchObject({ rows: 1000, endTime: new Date('2025-01-01T00:00:00Z') });
    expect(o.live).toMatchObject({ intervalMs: 1000, batchMs: 60_000, ticks: 5, lateRate: 0.1, updateRate: 0.01, deleteRate: 0.02, newChannelRate: 0.3, newShipRate: 0.4 });
  });

  it('names the option in every error', () => {
    expect(usageError(['--ships', 'many', '--live'])).toMatch(/^--ships must be an integer >= 0, got "many"/);
    expect(usageError(['--channels', '20053', '--live'])).toMatch(/^--channels must be an integer from 0 to 20052/);
    expect(usageError(['--live', '--late-rate', '1.5'])).toMatch(/^--late-rate must be a number from 0 to 1/);
    expect(usageError(['--live', '--interval-ms', '0'])).toMatch(/^--interval-ms must be an integer >= 1/);
    expect(usageError(['--history-days', 'x'])).toMatch(/^--history-days must be a number/);
    expect(usageError(['--history-rows', '10', '--history-end', 'yesterday'])).toMatch(/^--history-end must be an ISO 8601 time/);
    expect(usageError(['--history-days', '1', '--history-rows', '5'])).toMatch(/--history-days and --history-rows/);
    expect(usageError(['--ticks', '3'])).toBe('--ticks needs --live');
    expect(usageError(['--replica-identity-full', '--live'])).toMatch(/--no-primary-key/);
    expect(usageError(['--url', 'mysql://x', '--live'])).toMatch(/^--url must be a postgres:\/\/ URL/);
    expect(usageError(['--shipz', '3'])).toMatch(/shipz/);
    expect(usageError([])).toMatch(/nothing to do/);
  });
});
