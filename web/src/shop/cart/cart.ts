/** The cart's pure rules: lines by product, quantities between 1 and what is known in stock. */

export interface CartLine {
  productId: string;
  quantity: number;
  /** Shown until the server's quote answers; the quote's prices are the ones that count. */
  name: string;
  price: number;
  currency: string;
  imageUrl: string | null;
  /** Stock when the line was last checked; quantities never exceed it. */
  stock: number;
}

export type Cart = CartLine[];

export const MAX_LINE_QUANTITY = 99;

export function clampQuantity(quantity: number, stock: number): number {
  if (!Number.isFinite(quantity)) return 1;
  return Math.max(0, Math.min(Math.floor(quantity), stock, MAX_LINE_QUANTITY));
}

/** Adds `quantity` of a product, merging with its line; returns the cart unchanged when none is in stock. */
export function addToCart(cart: Cart, product: Omit<CartLine, 'quantity'>, quantity = 1): Cart {
  const existing = cart.find((line) => line.productId === product.productId);
  const wanted = clampQuantity((existing?.quantity ?? 0) + quantity, product.stock);
  if (wanted === 0) return cart;
  if (!existing) return [...cart, { ...product, quantity: wanted }];
  return cart.map((line) =>
    line.productId === product.productId ? { ...line, ...product, quantity: wanted } : line,
  );
}

/** Sets a line's quantity (clamped to stock); 0 removes the line. */
export function setQuantity(cart: Cart, productId: string, quantity: number): Cart {
  return cart.flatMap((line) => {
    if (line.productId !== productId) return [line];
    const next = clampQuantity(quantity, line.stock);
    return next === 0 ? [] : [{ ...line, quantity: next }];
  });
}

export function removeLine(cart: Cart, productId: string): Cart {
  return cart.filter((line) => line.productId !== productId);
}

/** Records the stock the server reported, so later changes are checked against it. */
export function updateStock(cart: Cart, available: Record<string, number>): Cart {
  let changed = false;
  const next = cart.map((line) => {
    const stock = available[line.productId];
    if (stock === undefined || stock === line.stock) return line;
    changed = true;
    return { ...line, stock };
  });
  return changed ? next : cart;
}

export function itemCount(cart: Cart): number {
  return cart.reduce((sum, line) => sum + line.quantity, 0);
}

/** The request body for a quote or an order: ids and quantities only, never a price. */
export function toOrderItems(cart: Cart): { productId: string; quantity: number }[] {
  return cart.map(({ productId, quantity }) => ({ productId, quantity }));
}

/** Reads a stored cart, dropping anything malformed (an old version, a hand edit). */
export function parseCart(text: string | null): Cart {
  if (!text) return [];
  try {
    const value: unknown = JSON.parse(text);
    if (!Array.isArray(value)) return [];
    return value.filter(isCartLine);
  } catch {
    return [];
  }
}

function isCartLine(value: unknown): value is CartLine {
  if (typeof value !== 'object' || value === null) return false;
  const line = value as Record<string, unknown>;
  return (
    typeof line.productId === 'string' &&
    typeof line.quantity === 'number' &&
    Number.isInteger(line.quantity) &&
    line.quantity > 0 &&
    typeof line.name === 'string' &&
    typeof line.price === 'number' &&
    typeof line.currency === 'string' &&
    typeof line.stock === 'number' &&
    (line.imageUrl === null || typeof line.imageUrl === 'string')
  );
}
