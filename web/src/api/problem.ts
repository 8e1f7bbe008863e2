/** An RFC 9457 problem as Ordo's API sends it (application/problem+json). */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  requestId?: string;
  errors?: { path: string; message: string }[];
  details?: unknown[];
}

/** Thrown by the API layer for any non-2xx answer, so callers and query hooks see one shape. */
export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = 'ProblemError';
  }
  get code(): string {
    return this.problem.code;
  }
  get status(): number {
    return this.problem.status;
  }
}

export function isProblem(value: unknown): value is Problem {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Problem).code === 'string' &&
    typeof (value as Problem).status === 'number'
  );
}

/** Turns whatever a call failed with into a Problem a person can read. */
export function toProblem(error: unknown): Problem {
  if (error instanceof ProblemError) return error.problem;
  if (isProblem(error)) return error;
  if (error instanceof TypeError) {
    return {
      title: 'Network error',
      status: 0,
      code: 'NETWORK',
      detail: 'The shop could not be reached. Check your connection and try again.',
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { title: 'Something went wrong', status: 0, code: 'UNKNOWN', detail: message };
}

/** The message to show a person for a problem: its detail, else its title. */
export function problemMessage(error: unknown): string {
  const problem = toProblem(error);
  return problem.detail ?? problem.title;
}

/**
 * A field named in a problem's `errors`, as a person reads it: the API's path without its
 * request part, in words (`body.shippingAddress.country` → "Shipping address country",
 * `body.items.1.quantity` → "Item 2 quantity").
 */
export function fieldLabel(path: string): string {
  const parts = path.split('.').filter((part) => part !== '');
  if (['body', 'query', 'params', 'headers'].includes(parts[0] ?? '')) parts.shift();
  const words: string[] = [];
  for (const part of parts) {
    if (/^\d+$/.test(part)) {
      const list = words.pop() ?? 'item';
      words.push(`${list.endsWith('s') ? list.slice(0, -1) : list} ${Number(part) + 1}`);
    } else {
      words.push(part.replace(/([a-z\d])([A-Z])/g, '$1 $2').toLowerCase());
    }
  }
  const text = words.join(' ');
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : 'This field';
}

export interface OutOfStockLine {
  productId: string;
  /** The short variant: each variant's items are summed, whichever way they were named. */
  variantId?: string;
  requested: number;
  available: number;
}

/** The per-line shortfalls of an OUT_OF_STOCK problem, or none. */
export function outOfStockLines(error: unknown): OutOfStockLine[] {
  const problem = toProblem(error);
  if (problem.code !== 'OUT_OF_STOCK' || !Array.isArray(problem.details)) return [];
  return problem.details.filter(
    (d): d is OutOfStockLine =>
      typeof d === 'object' && d !== null && typeof (d as OutOfStockLine).productId === 'string',
  );
}

/**
 * The products of a VARIANT_REQUIRED problem (items named by a product that has options, which
 * are ordered by variant), or none.
 */
export function variantRequiredProducts(error: unknown): string[] {
  const problem = toProblem(error);
  if (problem.code !== 'VARIANT_REQUIRED' || !Array.isArray(problem.details)) return [];
  return problem.details.flatMap((d) =>
    typeof d === 'object' &&
    d !== null &&
    typeof (d as { productId?: unknown }).productId === 'string'
      ? [(d as { productId: string }).productId]
      : [],
  );
}
