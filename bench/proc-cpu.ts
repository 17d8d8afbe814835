// CPU seconds of processes a benchmark does not run code in (the Temporal dev server, PostgreSQL),
// read from /proc (Linux). Where /proc does not show them (another host, another PID namespace, not
// Linux) the readers answer null and the benchmark prints that the figure is missing.
import { readdirSync, readFileSync } from 'node:fs';
import type { Pool } from '../infra/postgres.js';

/** USER_HZ: /proc times are in these ticks; 100 on every Linux the project runs on. */
const TICKS_PER_S = 100;

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime of the process (all its threads), in seconds. */
  ownS: number;
  /** cutime + cstime: children it has waited for (for a postmaster: backends that exited). */
  reapedS: number;
}

function readStat(pid: number): ProcStat | undefined {
  let s: string;
  try {
    s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
  const close = s.lastIndexOf(')');
  const f = s.slice(close + 2).split(' ');
  // f[0] is field 3 (state): ppid is field 4, utime/stime/cutime/cstime fields 14-17.
  const n = (field: number) => Number(f[field - 3] ?? 0);
  return {
    pid,
    ppid: n(4),
    comm: s.slice(s.indexOf('(') + 1, close),
    ownS: (n(14) + n(15)) / TICKS_PER_S,
    reapedS: (n(16) + n(17)) / TICKS_PER_S,
  };
}

function allStats(): ProcStat[] {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return [];
  }
  return pids.map((p) => readStat(Number(p))).filter((x): x is ProcStat => x !== undefined);
}

/** CPU seconds so far of a process, its live descendants and the children it has reaped. */
export function treeCpuS(rootPid: number): number | null {
  const stats = allStats();
  const root = stats.find((s) => s.pid === rootPid);
  if (!root) return null;
  const byParent = new Map<number, ProcStat[]>();
  for (const s of stats) byParent.set(s.ppid, [...(byParent.get(s.ppid) ?? []), s]);
  let total = root.reapedS;
  const todo = [root];
  for (let p = todo.pop(); p; p = todo.pop()) {
    total += p.ownS;
    todo.push(...(byParent.get(p.pid) ?? []));
  }
  return total;
}

/** The pid of the process whose command line holds all of `parts` (the newest if several). */
export function findPid(parts: string[]): number | null {
  let found: number | null = null;
  for (const d of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      continue;
    }
    if (parts.every((p) => cmd.includes(p)) && (found === null || Number(d) > found)) found = Number(d);
  }
  return found;
}

/**
 * The postmaster serving `pool`, found through one of the pool's backends, if /proc shows it: then
 * treeCpuS(postmaster) is the whole cluster's CPU (backends, also those that exited, autovacuum,
 * WAL writer, checkpointer), whoever else uses that cluster.
 */
export async function postmasterPid(pool: Pool): Promise<number | null> {
  const { rows } = await pool.query(`SELECT pg_backend_pid() AS pid`);
  const backend = readStat(Number((rows[0] as { pid: number }).pid));
  if (!backend || !backend.comm.startsWith('postgres')) return null;
  const postmaster = readStat(backend.ppid);
  return postmaster && /^post(gres|master)/.test(postmaster.comm) ? postmaster.pid : null;
}
