import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The vendored vista-sdk files live next to src/ so the package works from any working directory.
const DATA_DIR = join(import.meta.dirname, '..', 'data', 'vista-sdk');

let localIds: readonly string[] | undefined;
let imoNumbers: readonly string[] | undefined;

function readDistinctLines(file: string): readonly string[] {
  const lines = readFileSync(join(DATA_DIR, file), 'utf8').split('\n').map((line) => line.trim());
  // File order is kept (first occurrence wins) so pickers do not depend on a sort's locale.
  return Object.freeze([...new Set(lines.filter((line) => line.length > 0))]);
}

/** The 20,052 distinct real ISO 19848 Local IDs, in file order. */
export function realLocalIds(): readonly string[] {
  localIds ??= readDistinctLines('LocalIds.txt');
  return localIds;
}

/** The distinct real IMO numbers (`IMO1234567`), in file order. */
export function realImoNumbers(): readonly string[] {
  imoNumbers ??= readDistinctLines('ImoNumbers.txt');
  return imoNumbers;
}
