import type { Quote } from '../../api/types';
import type { OutOfStockLine } from '../../api/problem';
import type { CartLine } from './cart';

export interface StockIssue {
  productId: string;
  /** The short variant (absent only in an answer from before variants). */
  variantId?: string | undefined;
  requested: number;
  available: number;
  message: string;
}

function message(requested: number, available: number): string {
  if (available <= 0) return 'Out of stock: remove it to continue.';
  return `Only ${available} left (you asked for ${requested}).`;
}

/** Lines of a quote asking for more than is in stock, each with what to tell the person. */
export function quoteStockIssues(quote: Pick<Quote, 'lines'>): StockIssue[] {
  return quote.lines
    .filter((line) => line.quantity > line.available)
    .map((line) => ({
      productId: line.productId,
      variantId: line.variantId,
      requested: line.quantity,
      available: line.available,
      message: message(line.quantity, line.available),
    }));
}

/** The same, from an OUT_OF_STOCK problem's details (placing the order raced another buyer). */
export function problemStockIssues(lines: OutOfStockLine[]): StockIssue[] {
  return lines.map((line) => ({ ...line, message: message(line.requested, line.available) }));
}

/**
 * The issue of a cart line: its variant's, or for a line stored before variants (no variant
 * yet), its product's.
 */
export function issueFor(
  issues: readonly StockIssue[],
  line: Pick<CartLine, 'variantId' | 'productId'>,
): StockIssue | undefined {
  return issues.find((issue) =>
    line.variantId === undefined || issue.variantId === undefined
      ? issue.productId === line.productId
      : issue.variantId === line.variantId,
  );
}
