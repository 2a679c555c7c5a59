import { afterEach, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { Counter, createRegistry, startHttpServer } from './index.ts';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

describe('startHttpServer', () => {
  it('serves metrics, health and readiness', async () => {
    const registry = createRegistry('test');
    new Counter({ name: 'fleetpivot_test_events_total', help: 'test', registers: [registry] }).inc(3);
    let ready = false;
    server = await startHttpServer({ port: 0, host: '127.0.0.1', registry, health: () => ({ ok: true }), ready: () => ({ ok: ready }) });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const base = `http://127.0.0.1:${port}`;
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('fleetpivot_test_events_total{service="test"} 3');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    ready = true;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });
});
