// A benchmark's hub process (worker or API) in its own Node process, so its memory and CPU are its
// own: it prints a ready line, and answers `rss?` on stdin with its RSS figures on stdout.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { projectRoot } from '../infra/paths.js';

export interface BenchChild {
  child: ChildProcess;
  /** The ready line the child printed (it may carry a port). */
  readyLine: string;
  rss(): Promise<number[]>;
  /** CPU seconds the child has used so far, if it reports them (third figure of its `rss` line). */
  cpuS(): Promise<number | null>;
}

export function startBenchChild(script: string, readyPrefix: string, env: Record<string, string>): Promise<BenchChild> {
  // BENCH_CPU_PROF=<dir>: the child writes a V8 CPU profile there when it exits (bench/cpu-summary.ts reads it).
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', join(projectRoot, script)], {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const waiting: Array<(kb: number[]) => void> = [];
  const rss = () =>
    new Promise<number[]>((res) => {
      waiting.push(res);
      child.stdin!.write('rss?\n');
    });
  const cpuS = async () => {
    const us = (await rss())[2];
    return us === undefined || Number.isNaN(us) ? null : us / 1e6;
  };
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${script} did not start in 120 s`)), 120_000);
    child.once('exit', (code) => reject(new Error(`${script} exited ${code}`)));
    lines.on('line', (l) => {
      if (l.startsWith(readyPrefix)) {
        clearTimeout(t);
        resolve({ child, readyLine: l, rss, cpuS });
      } else if (l.startsWith('rss ')) waiting.shift()?.(l.slice(4).split(' ').map(Number));
    });
  });
}
