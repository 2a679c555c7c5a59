// `node bench/src/replot.ts <result.json>`: rewrites the markdown summary and plots of a stored run
// (after changing the report code, without rerunning the benchmark).
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeReport, type RunReport } from './report.ts';

const file = process.argv[2];
if (!file) throw new Error('usage: node bench/src/replot.ts bench/results/<timestamp>.json');
const report = JSON.parse(await readFile(file, 'utf8')) as RunReport;
const written = await writeReport(dirname(file), report);
console.log(`rewrote ${written.markdown} and the plots from ${file}`);
