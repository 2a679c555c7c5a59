import type { TestProject } from 'vitest/node';
import { ensureTemplate, startTestStack } from '@fleetpivot/testing';
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
  // Once, before any worker: parallel workers creating the template at the same moment would collide.
  await ensureTemplate(stack.info.adminUrl);
  project.provide('stack', stack.info);
  return () => stack.stop();
}
