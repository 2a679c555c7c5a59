import { z } from 'zod';

/** Raised at start-up when configuration is invalid; the message names every offending key. */
export class ConfigError extends Error {
  readonly code = 'invalid_config' as const;
  readonly issues: readonly string[];
  constructor(issues: readonly string[]) {
    super(`invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/**
 * Parses an environment-like record with a zod object schema, once, at start-up.
 * Services call this from main.ts; packages never read process.env themselves.
 */
export function parseConfig<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const key = issue.path.join('.') || '(root)';
      const got = typeof issue.path[0] === 'string' ? env[issue.path[0]] : undefined;
      return `${key}: ${issue.message}${got === undefined ? '' : ` (got ${JSON.stringify(got)})`}`;
    }),
  );
}

/** Common field builders: env values are strings, units live in the names (…Ms, …Bytes). */
export const env = {
  int: (def: number, opts: { min?: number; max?: number } = {}) =>
    z.coerce.number().int().min(opts.min ?? Number.MIN_SAFE_INTEGER).max(opts.max ?? Number.MAX_SAFE_INTEGER).default(def),
  str: (def: string) => z.string().min(1).default(def),
  url: () => z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  bool: (def: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(def ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  list: (def: string) =>
    z
      .string()
      .default(def)
      .transform((v) => v.split(',').map((s) => s.trim()).filter((s) => s.length > 0)),
  /** A SQL identifier chosen by the operator (schema, slot, publication): plain, lower-case, safe unquoted. */
  sqlName: (def: string) => z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL name of at most 63 bytes').default(def),
};
