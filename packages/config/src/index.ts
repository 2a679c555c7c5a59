export { parseConfig, ConfigError, env } from './parse.ts';
export { z } from 'zod';
