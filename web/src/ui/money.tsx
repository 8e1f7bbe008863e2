import { formatMoney } from './money-format';

/** An amount in minor units, formatted in its currency. */
export function Money({ amount, currency }: { amount: number; currency: string }) {
  return <span className="tabular-nums">{formatMoney(amount, currency)}</span>;
}
