import { readdirSync, readFileSync } from 'node:fs';

/**
 * Resource use of a process tree read from Linux's /proc: resident memory and CPU time of a
 * process and all its descendants (the API processes `ordo api --processes N` forks, for
 * instance). On a system without /proc every reading is zero and `available` says so.
 */

const PAGE_BYTES = 4096;
/** USER_HZ: the unit of utime and stime in /proc/<pid>/stat; 100 on every Linux we run on. */
const TICKS_PER_SECOND = 100;

interface ProcStat {
  pid: number;
  comm: string;
  ppid: number;
  /** utime + stime, in ms. */
  cpuMs: number;
  /**
   * cutime + cstime, in ms: what the children this process has reaped used, their own
   * children's included. A backend that exits leaves its CPU here, in the postmaster's.
   */
  reapedCpuMs: number;
  rssBytes: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // gone, or not ours to read
  }
  // comm is in parentheses and may hold spaces or parentheses: split after the last ')'.
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15, cutime 16, cstime 17,
  // rss 24.
  const ms = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND;
  return {
    pid,
    comm,
    ppid: Number(fields[1]),
    cpuMs: ms(Number(fields[11]) + Number(fields[12])),
    reapedCpuMs: ms(Number(fields[13]) + Number(fields[14])),
    rssBytes: Number(fields[21]) * PAGE_BYTES,
  };
}

function allStats(): ProcStat[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const stats: ProcStat[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) stats.push(stat);
  }
  return stats;
}

/**
 * A process to watch: with its descendants; or `alone` (the bench itself, not its children);
 * or `exited`: only the CPU of its children that exited and were reaped (a pgbench run the
 * bench started and waited for), with no RSS.
 */
export type Root = number | { pid: number; alone: true } | { pid: number; exited: true };

/** The process `root` and its descendants, from one reading of /proc. */
function tree(stats: readonly ProcStat[], root: Root): ProcStat[] {
  if (typeof root !== 'number') {
    const self = stats.find((s) => s.pid === root.pid);
    if (!self) return [];
    return 'exited' in root ? [{ ...self, cpuMs: self.reapedCpuMs, rssBytes: 0 }] : [self];
  }
  const children = new Map<number, ProcStat[]>();
  for (const stat of stats) {
    const list = children.get(stat.ppid) ?? [];
    list.push(stat);
    children.set(stat.ppid, list);
  }
  const found: ProcStat[] = [];
  const top = stats.find((s) => s.pid === root);
  const queue = top ? [top] : [];
  while (queue.length > 0) {
    const next = queue.shift()!;
    found.push(next);
    queue.push(...(children.get(next.pid) ?? []));
  }
  return found;
}

export interface Usage {
  /** CPU time used (user + system) by the tree. */
  cpuMs: number;
  rssBytes: number;
  /** The largest RSS of one process in the tree. */
  largestRssBytes: number;
}

/** CPU and RSS of each watched tree now, and of every `postgres` process (the database). */
export interface Reading {
  trees: Usage[];
  postgres: Usage;
  at: number;
}

export const available = (() => {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
})();

const sum = (list: ProcStat[]): Usage => ({
  cpuMs: list.reduce((total, s) => total + s.cpuMs, 0),
  rssBytes: list.reduce((total, s) => total + s.rssBytes, 0),
  largestRssBytes: Math.max(0, ...list.map((s) => s.rssBytes)),
});

/**
 * Every PostgreSQL process's CPU, the exited ones' included: each live process's own time
 * plus what the children it reaped used (the postmaster reaps every backend). Between two
 * readings the difference is then exact however connections churn: a backend live at the
 * first reading and gone at the second moves from the first term to the second.
 */
function postgresUsage(stats: readonly ProcStat[]): Usage {
  const postgres = stats.filter((s) => s.comm === 'postgres' || s.comm.startsWith('postgres:'));
  return {
    ...sum(postgres),
    cpuMs: postgres.reduce((total, s) => total + s.cpuMs + s.reapedCpuMs, 0),
  };
}

function read(roots: readonly Root[]): Reading {
  const stats = allStats();
  return {
    trees: roots.map((root) => sum(tree(stats, root))),
    postgres: postgresUsage(stats),
    at: Date.now(),
  };
}

export interface TreeSample {
  /** CPU ms used by the tree between start and stop. */
  cpuMs: number;
  peakRssBytes: number;
  /** The peak RSS of any one process of the tree (an API process under --processes N). */
  peakProcessRssBytes: number;
  /** RSS at the last reading. */
  lastRssBytes: number;
}

export interface Sample {
  trees: TreeSample[];
  /**
   * CPU ms used by every process named postgres between start and stop, backends that
   * opened and closed in between included (counted from their postmaster's cutime and
   * cstime): the database's work, and on a shared machine anyone else's queries too. A whole
   * server that stops in the window (a test's private cluster) takes its CPU with it.
   */
  postgresCpuMs: number;
  elapsedMs: number;
}

/**
 * Watches process trees from `start()` to `stop()`: CPU used in between and the peak RSS,
 * read every `intervalMs`. A tree's RSS is the sum of its processes' (shared pages counted in
 * each), the figure `ps` and a container's memory limit would see per process.
 */
export class TreeSampler {
  readonly #roots: readonly Root[];
  readonly #intervalMs: number;
  #first: Reading | undefined;
  #last: Reading | undefined;
  #peaks: number[] = [];
  #processPeaks: number[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(roots: readonly Root[], intervalMs = 200) {
    this.#roots = roots;
    this.#intervalMs = intervalMs;
  }

  start(): this {
    this.#first = this.#take();
    this.#timer = setInterval(() => this.#take(), this.#intervalMs);
    this.#timer.unref();
    return this;
  }

  stop(): Sample {
    clearInterval(this.#timer);
    const last = this.#take();
    const first = this.#first ?? last;
    return {
      trees: this.#roots.map((_, i) => ({
        cpuMs: Math.max(0, last.trees[i]!.cpuMs - first.trees[i]!.cpuMs),
        peakRssBytes: this.#peaks[i] ?? 0,
        peakProcessRssBytes: this.#processPeaks[i] ?? 0,
        lastRssBytes: last.trees[i]!.rssBytes,
      })),
      postgresCpuMs: Math.max(0, last.postgres.cpuMs - first.postgres.cpuMs),
      elapsedMs: last.at - first.at,
    };
  }

  #take(): Reading {
    const reading = read(this.#roots);
    reading.trees.forEach((usage, i) => {
      this.#peaks[i] = Math.max(this.#peaks[i] ?? 0, usage.rssBytes);
      this.#processPeaks[i] = Math.max(this.#processPeaks[i] ?? 0, usage.largestRssBytes);
    });
    this.#last = reading;
    return reading;
  }

  /** The latest reading's RSS of tree `index`. */
  currentRss(index = 0): number {
    return this.#last?.trees[index]?.rssBytes ?? 0;
  }
}

export const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
