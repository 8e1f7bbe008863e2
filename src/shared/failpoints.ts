/**
 * Crash points for the crash tests: `ORDO_FAILPOINTS=after-cancel-commit,refund-after-provider`
 * makes the process kill itself (SIGKILL: no cleanup, no flush, like a power cut) when it
 * reaches a named point, so a test can prove that what was committed before is completed
 * after a restart. Unset, as in production, a failpoint is one Set lookup.
 */
const armed = new Set(
  (process.env.ORDO_FAILPOINTS ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean),
);

export type Failpoint =
  | 'after-cancel-commit'
  | 'refund-after-provider'
  | 'payment-before-provider'
  | 'payment-after-provider';

export function failpoint(name: Failpoint): void {
  if (armed.has(name)) process.kill(process.pid, 'SIGKILL');
}
