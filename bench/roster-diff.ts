// Figures for the roster diff at scale: `npx tsx --expose-gc bench/roster-diff.ts [memberships]`.
// Builds N memberships over chats of 30, diffs them with 2% churn, prints diff time and the heap the inputs take.
import { diffChat, sortedUnique } from '../domain/roster/index.js';

const total = Number(process.argv[2] ?? 1_000_000);
const perChat = 30;
const chats = Math.ceil(total / perChat);
const gc = (globalThis as { gc?: () => void }).gc;

gc?.();
const heap0 = process.memoryUsage().heapUsed;
const states: { desired: string[]; managed: string[]; actual: string[] }[] = [];
for (let c = 0; c < chats; c++) {
  const actual = sortedUnique(Array.from({ length: perChat }, (_, i) => `u-${c}-${i}`));
  const desired = sortedUnique([...actual.filter((_, i) => (c * perChat + i) % 50 !== 0), `u-${c}-new`]);
  states.push({ desired, managed: actual, actual });
}
gc?.();
const heap1 = process.memoryUsage().heapUsed;
const t0 = performance.now();
let adds = 0;
let removes = 0;
for (const s of states) {
  const d = diffChat(s);
  adds += d.adds.length;
  removes += d.removes.length;
}
const ms = performance.now() - t0;
const mb = (b: number) => (b / 1024 / 1024).toFixed(1);
console.log(
  JSON.stringify({
    memberships: chats * perChat,
    chats,
    adds,
    removes,
    diffMs: Math.round(ms),
    inputHeapMb: mb(heap1 - heap0),
  }),
);
