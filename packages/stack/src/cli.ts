// `npm run stack -- up|down [--purge]|status`: the local PostgreSQL + Kafka used by tests and the demo.
const say = (line: string) => process.stdout.write(`${line}\n`);
const complain = (line: string) => process.stderr.write(`${line}\n`);
import { ensureStack, stackStatus, stopStack } from './index.ts';

const [command = 'status', ...flags] = process.argv.slice(2);
const env = process.env;

try {
  if (command === 'up') {
    const info = await ensureStack({ env });
    say(`PostgreSQL: ${info.sourceUrl}${info.local.postgres ? ' (local cluster)' : ' (from FLEETPIVOT_SOURCE_URL)'}`);
    say(`Kafka:      ${info.kafkaBrokers.join(',')}${info.local.kafka ? ' (local KRaft broker)' : ' (from KAFKA_BROKERS)'}`);
  } else if (command === 'down') {
    await stopStack({ env, purge: flags.includes('--purge') });
    say(flags.includes('--purge') ? 'stopped; data removed' : 'stopped; data kept (use --purge to remove it)');
  } else if (command === 'status') {
    const s = await stackStatus({ env });
    say(`PostgreSQL: ${s.postgres.running ? 'running' : 'stopped'}  ${s.postgres.url}  (${s.postgres.dir})`);
    say(`Kafka:      ${s.kafka.running ? `running (pid ${s.kafka.pid})` : 'stopped'}  ${s.kafka.brokers.join(',')}  (${s.kafka.dir})`);
  } else {
    complain(`unknown command ${JSON.stringify(command)}: use up, down [--purge] or status`);
    process.exitCode = 2;
  }
} catch (err) {
  complain(`stack ${command} failed: ${(err as Error).message}`);
  if ((err as Error).cause) complain(`  cause: ${String((err as { cause: unknown }).cause)}`);
  process.exitCode = 1;
}
