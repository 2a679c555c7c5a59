import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureConfigSchema } from '../../services/capture/src/config.ts';
import { pivotConfigSchema } from '../../services/pivot/src/config.ts';
import { backfillConfigSchema } from '../../services/backfill/src/config.ts';

const doc = readFileSync(join(import.meta.dirname, '../../docs/configuration.md'), 'utf8');

describe('docs/configuration.md', () => {
  it.each([
    ['capture', captureConfigSchema],
    ['pivot', pivotConfigSchema],
    ['backfill', backfillConfigSchema],
  ])('lists every %s setting', (_name, schema) => {
    const missing = Object.keys(schema.shape).filter((key) => !doc.includes(`\`${key}\``));
    expect(missing).toEqual([]);
  });
});
