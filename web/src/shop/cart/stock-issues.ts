import type { Quote } from '../../api/types';
import type { OutOfStockLine } from '../../api/problem';

export interface StockIssue {
  productId: string;
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
      requested: line.quantity,
      available: line.available,
      message: message(line.quantity, line.available),
    }));
}

/** The same, from an OUT_OF_STOCK problem's details (placing the order raced another buyer). */
export function problemStockIssues(lines: OutOfStockLine[]): StockIssue[] {
  return lines.map((line) => ({ ...line, message: message(line.requested, line.available) }));
}

export function issuesByProduct(issues: StockIssue[]): Map<string, StockIssue> {
  return new Map(issues.map((issue) => [issue.productId, issue]));
}
