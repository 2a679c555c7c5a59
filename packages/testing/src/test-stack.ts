import { request } from 'node:http';
import { existsSync } from 'node:fs';
import { ensureStack, type StackInfo } from '@fleetpivot/stack';
import { startContainerStack } from './container-stack.ts';

export interface TestStack {
  info: StackInfo;
  kind: 'env' | 'local' | 'containers';
  stop(): Promise<void>;
}

/** Pings the Docker API; false quickly when no engine answers (as on machines without Docker). */
export function containerRuntimeAvailable(env: Record<string, string | undefined>, timeoutMs = 1_500): Promise<boolean> {
  const host = env.DOCKER_HOST;
  const socketPath = host?.startsWith('unix://') ? host.slice('unix://'.length) : host ? undefined : '/var/run/docker.sock';
  if (socketPath && !existsSync(socketPath)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const target = socketPath ? { socketPath } : { host: new URL(host!.replace(/^tcp:/, 'http:')).hostname, port: Number(new URL(host!.replace(/^tcp:/, 'http:')).port) };
    const req = request({ ...target, path: '/_ping', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

/**
 * Chooses the stack for integration tests once: FLEETPIVOT_SOURCE_URL / KAFKA_BROKERS when given,
 * testcontainers when a container runtime answers (a laptop with Docker), the local stack otherwise.
 * FLEETPIVOT_TEST_STACK=local|containers forces a choice.
 */
export async function startTestStack(env: Record<string, string | undefined>): Promise<TestStack> {
  const forced = env.FLEETPIVOT_TEST_STACK;
  if (env.FLEETPIVOT_SOURCE_URL || env.KAFKA_BROKERS) {
    return { info: await ensureStack({ env }), kind: 'env', stop: async () => undefined };
  }
  if (forced === 'containers' || (forced !== 'local' && (await containerRuntimeAvailable(env)))) {
    return startContainerStack();
  }
  return { info: await ensureStack({ env }), kind: 'local', stop: async () => undefined };
}
