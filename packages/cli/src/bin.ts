#!/usr/bin/env node
// `npm run fleetpivot -- <command>`: the process edge. Signals become an AbortSignal so a command can stop cleanly.
import { runCli } from './main.ts';

const controller = new AbortController();
const onSignal = (): void => {
  if (controller.signal.aborted) process.exit(130); // a second Ctrl-C means now
  controller.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  signal: controller.signal,
});
process.off('SIGINT', onSignal);
process.off('SIGTERM', onSignal);
