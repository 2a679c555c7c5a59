export { parseConfig, ConfigError, env } from './parse.ts';
export { z } from 'zod';
export { SERVICE_NODE_FLAGS, SERVICE_ALLOCATOR_ENV, serviceProcess } from './node-flags.ts';
export type { ServiceName } from './node-flags.ts';
