// The seeded synthetic region (bench/region.ts) written as one regional OneRoster 1.1 CSV export, for
// uploads, `hub import` and other tools: `npm run -s bench:region -- <memberships> <dir> [seed]`.
// Prints what it wrote: schools, people, chat memberships, files and sizes, seconds.
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeOneRosterCsv } from '../adapters/journals/oneroster-csv/export.js';
import { RegionModel } from './region.js';

const [target, dir, seed] = process.argv.slice(2);
const memberships = Number(target);
if (!Number.isInteger(memberships) || memberships < 1000 || !dir) {
  console.error('usage: npm run -s bench:region -- <memberships ≥ 1000> <output dir> [seed]');
  process.exit(2);
}
const t0 = performance.now();
const model = RegionModel.build({ seed: Number(seed ?? 42), memberships });
const t1 = performance.now();
const out = resolve(dir);
await writeOneRosterCsv(model, out);
const t2 = performance.now();
const files = await Promise.all((await readdir(out)).sort().map(async (name) => ({ name, bytes: (await stat(join(out, name))).size })));
console.log(
  JSON.stringify(
    {
      dir: out,
      schools: model.schools.size,
      people: model.persons.size,
      memberships: model.membershipsTotal(),
      generateS: Number(((t1 - t0) / 1000).toFixed(1)),
      writeS: Number(((t2 - t1) / 1000).toFixed(1)),
      files,
      totalMb: Number((files.reduce((n, f) => n + f.bytes, 0) / 1e6).toFixed(1)),
    },
    null,
    1,
  ),
);
