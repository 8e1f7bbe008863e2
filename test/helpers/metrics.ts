/**
 * The value of one sample in a Prometheus text exposition: `name` with exactly these labels
 * among its own (other labels ignored), or undefined when no such line exists. With several
 * matching lines (labels left unnamed), their sum.
 */
export function sample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const own = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => own[key] === value)) {
      total = (total ?? 0) + Number(match[3]);
    }
  }
  return total;
}
