import type { TestProject } from 'vitest/node';
import { startTestStack } from '@fleetpivot/testing';
import type { StackInfo } from '@fleetpivot/stack';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

// Decided once per run: env-given services, testcontainers where a container runtime answers, or the
// project-local PostgreSQL + Kafka. Every integration test reads it with inject('stack').
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stack = await startTestStack(process.env);
  project.provide('stack', stack.info);
  return () => stack.stop();
}
