import { formatTable } from './lib.js';
import { lagTable, type LagSummary } from './queue-lag.js';
import type { BenchRow, ReportExtras } from './report.js';

/**
 * What a run's figures say against the targets issues 11 and 12 set, and the sections of the
 * Markdown report besides the run tables (targets, queue lag, process scaling, start-up and
 * memory, invariants).
 */

/** One `ordo api --processes N` run of place-order, with its separate worker. */
export interface Scaling {
  processes: number;
  /** From the spawn until /readyz answered (the first of the N processes). */
  readyMs: number;
  perSecond: number;
  p99: number;
  /** The whole `ordo api` tree: the supervisor and its N processes. */
  rssPeakMb: number;
  /** The largest single process of that tree. */
  processRssPeakMb: number;
  workerRssPeakMb: number;
}

export const scalingTable = (scaling: readonly Scaling[]) =>
  formatTable(
    [
      'api processes',
      'req/s',
      'p99 ms',
      'ready ms',
      'api tree RSS peak MB',
      'largest process MB',
      'worker RSS peak MB',
    ],
    scaling.map((s) => [
      s.processes,
      s.perSecond,
      s.p99,
      s.readyMs,
      s.rssPeakMb,
      s.processRssPeakMb,
      s.workerRssPeakMb,
    ]),
  );

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean | null;
}

/** The figures issues 11 and 12 set as targets, read from this run (null: not measured). */
export function targetChecks(
  rows: readonly BenchRow[],
  lags: readonly LagSummary[],
  processes: Record<string, unknown>,
  embedded: Record<string, unknown> | undefined,
): TargetCheck[] {
  const find = (scenario: string, connections: number) =>
    rows.find((r) => r.kind === 'ordo' && r.scenario === scenario && r.connections === connections);
  const checks: TargetCheck[] = [];
  const po = find('place-order', 32);
  checks.push({
    target: 'place-order @ 32: ≥ 50% of direct pg, p99 ≤ 50 ms, zero errors',
    measured: po
      ? `${Math.round((po.ratios?.['direct pg'] ?? 0) * 100)}%, p99 ${po.p99} ms, ${po.errors} errors`
      : 'not run',
    met: po ? (po.ratios?.['direct pg'] ?? 0) >= 0.5 && po.p99 <= 50 && po.errors === 0 : null,
  });
  const hot = find('hot-sku', 32);
  checks.push({
    target: 'hot-sku @ 32: ≥ 50% of direct pg (no oversell: see invariants)',
    measured: hot ? `${Math.round((hot.ratios?.['direct pg'] ?? 0) * 100)}%` : 'not run',
    met: hot ? (hot.ratios?.['direct pg'] ?? 0) >= 0.5 : null,
  });
  const cat = find('catalog-cached', 50);
  checks.push({
    target: 'catalog-cached @ 50: ≥ 30% of the bare route, p99 ≤ 20 ms',
    measured: cat
      ? `${Math.round((cat.ratios?.['bare route'] ?? 0) * 100)}%, p99 ${cat.p99} ms`
      : 'not run',
    met: cat ? (cat.ratios?.['bare route'] ?? 0) >= 0.3 && cat.p99 <= 20 : null,
  });
  const checkouts = rows.filter((r) => r.scenario === 'checkout');
  const best = Math.max(0, ...checkouts.map((r) => r.perSecond));
  checks.push({
    target: 'full checkout ≥ 500/s',
    measured: checkouts.length > 0 ? `${best}/s at best` : 'not run',
    met: checkouts.length > 0 ? best >= 500 : null,
  });
  const lag = lags.find((l) => l.scenario === 'place-order / ordo serve' && l.connections === 32);
  const lagP99 = lag?.lagMs.p99 ?? null;
  checks.push({
    target: 'confirmation queue lag p99 ≤ 2 s at the place-order rate (@ 32)',
    measured: lag
      ? lagP99 !== null
        ? `${lagP99} ms`
        : `≥ ${lag.lowerBoundMs.p99 ?? '?'} ms (undelivered)`
      : 'not run',
    met: lag ? lagP99 !== null && lagP99 <= 2_000 : null,
  });
  const serve = processes.serve as { idle: { rssMb: number }; rssPeakMb: number } | undefined;
  const peaks = [
    serve?.rssPeakMb ?? 0,
    // One process each: under --processes N, the largest of the N (and the worker).
    ...rows
      .filter((r) => r.kind === 'ordo')
      .flatMap((r) => [r.processRssPeakMb ?? 0, r.workerRssPeakMb ?? 0]),
    (embedded?.rssPeakMb as number | undefined) ?? 0,
  ];
  const idleOf = (value: unknown) => (value as { rssMb: number } | undefined)?.rssMb;
  const idle = {
    PostgreSQL: serve?.idle.rssMb,
    'PGlite first start': idleOf(embedded?.idle),
    'PGlite restart': idleOf(embedded?.idleAfterRestart),
  };
  const idleValues = Object.values(idle).filter((v) => v !== undefined);
  checks.push({
    target: 'RSS ≤ 300 MB idle and through the run (any one Ordo process)',
    measured: `idle ${Object.entries(idle)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${v} MB (${k})`)
      .join(', ')}; peak ${Math.max(...peaks)} MB`,
    met: Math.max(...peaks, ...idleValues) <= 300,
  });
  return checks;
}

export function reportExtras(
  title: string,
  report: {
    startedAt: string;
    durationSeconds: number;
    commit: string | undefined;
    node: string;
    mode: string;
    settings: {
      durationSeconds: number;
      warmupSeconds: number;
      products: number;
      customers: number;
    };
    queueLag: { runs: LagSummary[]; jobPollIntervalMs: number; undelivered: number };
    processes: Record<string, unknown>;
    embedded: Record<string, unknown> | undefined;
    invariants: Record<string, unknown>;
    targets: TargetCheck[];
  },
  scaling: readonly Scaling[],
): ReportExtras {
  const code = (text: string) => `\`\`\`\n${text}\n\`\`\``;
  const sections: ReportExtras['sections'] = [];
  sections.push({
    heading: 'Targets',
    body: [
      '| target | measured | met |',
      '| --- | --- | --- |',
      ...report.targets.map(
        (t) => `| ${t.target} | ${t.measured} | ${t.met === null ? '–' : t.met ? 'yes' : 'no'} |`,
      ),
    ].join('\n'),
  });
  if (report.queueLag.runs.length > 0) {
    sections.push({
      heading: 'Confirmation email queue lag',
      body:
        `Order \`createdAt\` → the confirmation's SMTP DATA received by the loopback server, ` +
        `Ordo's job settings at their defaults (JOB_POLL_INTERVAL ${report.queueLag.jobPollIntervalMs} ms). ` +
        `Undelivered: ${report.queueLag.undelivered}.\n\n${code(lagTable(report.queueLag.runs))}`,
    });
  }
  if (scaling.length > 0) {
    sections.push({
      heading: 'Process scaling (place-order, separate ordo worker)',
      body: `At 32 connections; the api tree is the supervisor and its N processes.\n\n${code(scalingTable(scaling))}`,
    });
  }
  type Idle = { seconds: number; cpuMs: number; cpuPercent: number; rssMb: number };
  const serve = report.processes.serve as
    { readyMs: number; idle: Idle; rssPeakMb: number } | undefined;
  const embedded = report.embedded as
    | {
        firstStartMs: number;
        restartMs: number;
        idle: Idle;
        idleAfterRestart: Idle;
        rssPeakMb: number;
      }
    | undefined;
  const cpu = (idle: Idle | undefined) =>
    idle ? `${idle.cpuPercent}% of a core (${idle.cpuMs} ms over ${idle.seconds} s)` : '–';
  const rss = (idle: Idle | undefined) => (idle ? `${idle.rssMb} MB` : '–');
  const ms = (value: number | undefined) => (value === undefined ? '–' : `${value} ms`);
  sections.push({
    heading: 'Start-up, idle and memory',
    body: [
      '| | PostgreSQL (`ordo serve`) | embedded PGlite (`ordo serve`) |',
      '| --- | --- | --- |',
      `| time to healthy, first start (empty database) | ${ms(serve?.readyMs)} | ${ms(embedded?.firstStartMs)} |`,
      `| time to healthy, restart | – | ${ms(embedded?.restartMs)} |`,
      `| idle CPU after the first start | ${cpu(serve?.idle)} | ${cpu(embedded?.idle)} |`,
      `| idle CPU after the restart | – | ${cpu(embedded?.idleAfterRestart)} |`,
      `| idle RSS after the first start | ${rss(serve?.idle)} | ${rss(embedded?.idle)} |`,
      `| idle RSS after the restart | – | ${rss(embedded?.idleAfterRestart)} |`,
      `| RSS peak through the run | ${serve ? `${serve.rssPeakMb} MB` : '–'} | ${embedded ? `${embedded.rssPeakMb} MB` : '–'} |`,
    ].join('\n'),
  });
  sections.push({
    heading: 'Invariants after the PostgreSQL runs',
    body: code(JSON.stringify(report.invariants, null, 2)),
  });
  return {
    title,
    preamble: [
      `${report.mode} run, ${report.startedAt}, commit ${report.commit?.slice(0, 12) ?? 'unknown'}, Node ${report.node}; took ${report.durationSeconds} s.`,
      `${report.settings.durationSeconds} s per run after a ${report.settings.warmupSeconds} s warm-up per target; ${report.settings.products} products, ${report.settings.customers} customers; PostgreSQL and Redis on loopback unless the scenario says PGlite.`,
      'Per s is requests per second (completed checkouts per second for checkout); errors are non-2xx answers plus socket errors; CPU ms/req is the server process tree (pgbench, the client, for direct pg; api and worker together for the process rows); pg CPU ms/req is every postgres process on the machine, backends that closed during the run included. See docs/BENCHMARKS.md.',
    ],
    sections,
  };
}
