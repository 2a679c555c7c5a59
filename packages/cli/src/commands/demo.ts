import type { Command } from '../command.ts';
import { demoUsage, parseDemoArgs } from '../demo/options.ts';
import { runDemo } from '../demo/run.ts';

export const demo: Command = {
  name: 'demo',
  summary: 'the whole migration on the local stack: history + live writes, capture, pivot, backfill, verification',
  usage: demoUsage,
  run: async (args, io) => {
    const report = await runDemo(parseDemoArgs(args), io);
    return report.verified ? 0 : 1;
  },
};
