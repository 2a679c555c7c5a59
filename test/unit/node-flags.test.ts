import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVICE_ALLOCATOR_ENV, SERVICE_NODE_FLAGS } from '@fleetpivot/config';

const root = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

// The heap flags live in one constant (packages/config/src/node-flags.ts); the image and the manifests cannot
// import it, so this keeps them in step.
describe('service heap flags', () => {
  const dockerfile = read('Dockerfile');
  const manifests = { capture: read('k8s/capture.yaml'), pivot: read('k8s/pivot.yaml'), backfill: read('k8s/backfill-job.yaml') };
  it.each(Object.entries(SERVICE_NODE_FLAGS))('%s: the Dockerfile stage and the Kubernetes manifest use the same flags', (service, flags) => {
    const stage = dockerfile.split(/^FROM /m).find((s) => s.startsWith(`base AS ${service}\n`));
    expect(stage, `Dockerfile stage ${service}`).toBeDefined();
    const options = /NODE_OPTIONS="([^"]*)"/.exec(stage!)?.[1]?.split(' ') ?? [];
    expect(options.filter((o) => o.startsWith('--max-'))).toEqual(flags);
    const env = /name: NODE_OPTIONS, value: "([^"]*)"/.exec(manifests[service as keyof typeof manifests])?.[1]?.split(' ') ?? [];
    expect(env.filter((o) => o.startsWith('--max-'))).toEqual(flags);
  });
});

// glibc reads MALLOC_* once, at start: the services' image carries the setting in the stage they all build on.
describe('service allocator setting', () => {
  it('the Dockerfile base stage sets every SERVICE_ALLOCATOR_ENV variable to the same value', () => {
    const base = read('Dockerfile').split(/^FROM /m).find((s) => / AS base\n/.test(s.split('\n')[0] + '\n'));
    expect(base, 'Dockerfile base stage').toBeDefined();
    for (const [name, value] of Object.entries(SERVICE_ALLOCATOR_ENV)) expect(base).toMatch(new RegExp(`^ENV .*\\b${name}=${value}(\\s|$)`, 'm'));
  });
});
