import { describe, expect, it } from 'vitest';
import type { CommandIo } from './command.ts';
import { commands, runCli } from './main.ts';

const io = (): CommandIo & { out: string[]; err: string[] } => {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (l) => out.push(l), stderr: (l) => err.push(l), env: {}, signal: new AbortController().signal };
};

describe('fleetpivot dispatch', () => {
  it('lists the registered commands', async () => {
    const x = io();
    expect(await runCli(['--help'], x)).toBe(0);
    expect(commands.map((c) => c.name)).toContain('simulate');
    expect(x.out.join('\n')).toContain('simulate');
  });

  it('rejects an unknown command with exit code 2', async () => {
    const x = io();
    expect(await runCli(['simulat'], x)).toBe(2);
    expect(x.err.join('\n')).toContain('unknown command "simulat"');
  });

  it('prints a command usage and turns bad options into exit code 2 naming the option', async () => {
    const help = io();
    expect(await runCli(['simulate', '--help'], help)).toBe(0);
    expect(help.out.join('\n')).toContain('--history-rows');
    const bad = io();
    expect(await runCli(['simulate', '--ships=-3', '--live'], bad)).toBe(2);
    expect(bad.err.join('\n')).toContain('--ships must be');
  });

  it('says which URL could not be reached', async () => {
    const x = io();
    expect(await runCli(['simulate', '--url', 'postgres://nobody:secret@127.0.0.1:1/none', '--history-rows', '1'], x)).toBe(1);
    expect(x.err.join('\n')).toMatch(/cannot connect to postgres:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/none \(--url\)/);
    expect(x.err.join('\n')).not.toContain('secret');
  });
});
