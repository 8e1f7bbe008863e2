import { formatTable } from './lib.js';

/**
 * The bench's rows and how they are written out: the console table, the Markdown tables of
 * bench/results/<name>.md, and the bar chart of <name>.svg (hand-written SVG, no library).
 */

export interface BenchRow {
  /** The scenario: place-order, hot-sku, catalog-cached, catalog-list, checkout, ... */
  scenario: string;
  /** What answered: `ordo serve`, `direct pg`, `fastify + pg`, `bare route`, `ordo api ×2 + worker`. */
  target: string;
  /** Ordo, or a limit that Ordo's row of the same scenario and connections is compared with. */
  kind: 'ordo' | 'limit';
  connections: number;
  /** Requests per second; completed checkouts per second for the checkout scenario. */
  perSecond: number;
  unit: 'req/s' | 'checkouts/s';
  p50: number;
  p99: number;
  requests: number;
  /** Non-2xx responses plus socket errors and timeouts. */
  errors: number;
  status5xx: number;
  failures: Record<string, number>;
  /** Peak RSS of the server's process tree during the run (none for direct pg: pgbench has exited when it is read). */
  serverRssPeakMb: number | null;
  /** Peak RSS of the largest single process of that tree (differs under --processes N). */
  processRssPeakMb: number | null;
  /** CPU ms of the server's process tree per request (per checkout for checkout). */
  serverCpuMsPerRequest: number | null;
  /** CPU ms of the PostgreSQL processes per request; null on the embedded database. */
  postgresCpuMsPerRequest: number | null;
  /** Ordo's rows only: perSecond divided by each limit's perSecond at the same connections. */
  ratios?: Record<string, number>;
  /** A worker process beside the server (`ordo worker`): its own peak RSS. */
  workerRssPeakMb?: number;
}

/** Fills each Ordo row's `ratios` from the limit rows of its scenario and connection count. */
export function attachRatios(rows: BenchRow[]): void {
  for (const row of rows) {
    if (row.kind !== 'ordo') continue;
    const limits = rows.filter(
      (r) => r.kind === 'limit' && r.scenario === row.scenario && r.connections === row.connections,
    );
    if (limits.length === 0) continue;
    row.ratios = Object.fromEntries(
      limits.map((l) => [
        l.target,
        l.perSecond > 0 ? Math.round((row.perSecond / l.perSecond) * 1000) / 1000 : 0,
      ]),
    );
  }
}

const pct = (ratio: number) => `${Math.round(ratio * 100)}%`;
const dash = (value: number | null | undefined) =>
  value === null || value === undefined ? '–' : value;

function detailRows(rows: readonly BenchRow[]) {
  return rows.map((r) => [
    r.scenario,
    r.target,
    r.connections,
    r.perSecond,
    r.p50,
    r.p99,
    r.errors,
    dash(r.serverRssPeakMb),
    dash(r.serverCpuMsPerRequest),
    dash(r.postgresCpuMsPerRequest),
    r.ratios
      ? Object.entries(r.ratios)
          .map(([target, ratio]) => `${pct(ratio)} of ${target}`)
          .join(', ')
      : '',
  ]);
}

const DETAIL_HEADER = [
  'scenario',
  'target',
  'conns',
  'per s',
  'p50 ms',
  'p99 ms',
  'errors',
  'RSS peak MB',
  'CPU ms/req',
  'pg CPU ms/req',
  'vs limit',
];

export function consoleTable(rows: readonly BenchRow[]): string {
  return formatTable(DETAIL_HEADER, detailRows(rows));
}

function markdownTable(header: string[], rows: (string | number)[][]): string {
  const escape = (cell: string | number) => String(cell).replace(/\|/g, '\\|');
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(escape).join(' | ')} |`),
  ].join('\n');
}

export interface ReportExtras {
  title: string;
  /** Lines under the title: when, where, settings. */
  preamble: string[];
  /** Further sections, already Markdown (queue lag, embedded start-up, invariants). */
  sections: { heading: string; body: string }[];
}

export function markdownReport(rows: readonly BenchRow[], extras: ReportExtras): string {
  const compared = rows.filter((r) => r.kind === 'ordo' && r.ratios);
  const parts = [`# ${extras.title}`, '', ...extras.preamble, ''];
  if (compared.length > 0) {
    parts.push(
      '## Ordo against its limits',
      '',
      markdownTable(
        [
          'scenario',
          'conns',
          'Ordo per s',
          'Ordo p99 ms',
          'limit',
          'limit per s',
          'limit p99 ms',
          'ratio',
        ],
        compared.flatMap((r) =>
          Object.entries(r.ratios!).map(([target, ratio]) => {
            const limit = rows.find(
              (l) =>
                l.kind === 'limit' &&
                l.target === target &&
                l.scenario === r.scenario &&
                l.connections === r.connections,
            )!;
            return [
              r.scenario,
              r.connections,
              r.perSecond,
              r.p99,
              target,
              limit.perSecond,
              limit.p99,
              pct(ratio),
            ];
          }),
        ),
      ),
      '',
    );
  }
  parts.push('## Every run', '', markdownTable(DETAIL_HEADER, detailRows(rows)), '');
  const failing = rows.filter((r) => Object.keys(r.failures).length > 0);
  if (failing.length > 0) {
    parts.push(
      'Non-2xx answers by status and code:',
      '',
      ...failing.map(
        (r) =>
          `- ${r.scenario} / ${r.target} @ ${r.connections}: ${Object.entries(r.failures)
            .map(([k, n]) => `${k} ×${n}`)
            .join(', ')}`,
      ),
      '',
    );
  }
  for (const section of extras.sections) parts.push(`## ${section.heading}`, '', section.body, '');
  return `${parts.join('\n').trimEnd()}\n`;
}

const COLOURS: Record<string, string> = {
  ordo: '#2563eb',
  'direct pg': '#9ca3af',
  'fastify + pg': '#6b7280',
  'bare route': '#9ca3af',
};
const colourOf = (row: BenchRow) =>
  row.kind === 'ordo' ? COLOURS.ordo! : (COLOURS[row.target] ?? '#9ca3af');

const xml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A horizontal bar chart: one panel per scenario (each on its own scale: the catalog answers
 * many times more requests than an order takes), one group of bars per connection count,
 * Ordo in blue and its limits in grey, each bar labelled with its rate.
 */
export function svgChart(rows: readonly BenchRow[], title: string): string {
  const width = 860;
  const labelWidth = 210;
  const barArea = width - labelWidth - 110;
  const barHeight = 14;
  const gap = 4;
  const parts: string[] = [];
  let y = 40;
  parts.push(
    `<text x="16" y="24" font-size="16" font-weight="bold">${xml(title)}</text>`,
    `<text x="${width - 16}" y="24" font-size="11" text-anchor="end" fill="#374151">Ordo <tspan fill="${COLOURS.ordo}">■</tspan>  limit <tspan fill="#9ca3af">■</tspan></text>`,
  );
  const scenarios = [...new Set(rows.map((r) => r.scenario))];
  for (const scenario of scenarios) {
    const inScenario = rows.filter((r) => r.scenario === scenario);
    const max = Math.max(1, ...inScenario.map((r) => r.perSecond));
    y += 14;
    parts.push(
      `<text x="16" y="${y}" font-size="13" font-weight="bold">${xml(scenario)} (${inScenario[0]!.unit})</text>`,
    );
    y += 8;
    const counts = [...new Set(inScenario.map((r) => r.connections))];
    for (const connections of counts) {
      for (const row of inScenario.filter((r) => r.connections === connections)) {
        const length = Math.max(1, Math.round((row.perSecond / max) * barArea));
        const label = `${row.target} @ ${connections}`;
        parts.push(
          `<text x="${labelWidth - 8}" y="${y + barHeight - 3}" font-size="11" text-anchor="end">${xml(label)}</text>`,
          `<rect x="${labelWidth}" y="${y}" width="${length}" height="${barHeight}" fill="${colourOf(row)}"/>`,
          `<text x="${labelWidth + length + 6}" y="${y + barHeight - 3}" font-size="11">${row.perSecond}${
            row.ratios
              ? ` (${Object.entries(row.ratios)
                  .map(([target, ratio]) => `${pct(ratio)} of ${target}`)
                  .join(', ')})`
              : ''
          }</text>`,
        );
        y += barHeight + gap;
      }
      y += 6;
    }
    y += 6;
  }
  const height = y + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
