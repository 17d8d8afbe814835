// Self time per function (top N) of a V8 .cpuprofile: `npx tsx bench/cpu-summary.ts <file> [N]`.
import { readFileSync } from 'node:fs';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

const [file, n = '25'] = process.argv.slice(2);
if (!file) throw new Error('usage: cpu-summary <file.cpuprofile> [N]');
const prof = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(prof.nodes.map((x) => [x.id, x]));
const self = new Map<string, number>();
let total = 0;
prof.samples.forEach((id, i) => {
  const dt = prof.timeDeltas[i] ?? 0;
  total += dt;
  const f = byId.get(id)!.callFrame;
  const where = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(node_modules|wt\/bench)\//, '$1/')}:${f.lineNumber + 1}`;
  self.set(where, (self.get(where) ?? 0) + dt);
});
console.log(`total ${(total / 1e6).toFixed(1)} s sampled`);
for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) {
  console.log(`${((100 * us) / total).toFixed(1).padStart(5)} %  ${(us / 1e6).toFixed(2).padStart(7)} s  ${k}`);
}
