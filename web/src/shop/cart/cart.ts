/**
 * The cart's pure rules: one line per variant (two sizes of a T-shirt are two lines), quantities
 * between 1 and what is known in stock.
 *
 * Carts stored before variants have lines by product only (no `variantId`, no `variantTitle`).
 * They are read as they are and keep working: a product without options is ordered by its
 * productId (the API takes it for its one variant), and the first quote names the variant, which
 * the line takes from then on (`updateFromServer`). A stored line whose product has options
 * since is marked (`markNeedsOptions`): left out of quotes and orders until its options are
 * chosen on the product page or it is removed.
 */

export interface CartLine {
  /** The variant ordered. Absent only on a line stored before variants, until a quote names it. */
  variantId?: string;
  /** The variant's product, for links and for lines stored before variants. */
  productId: string;
  quantity: number;
  /** Shown until the server's quote answers; the quote's prices are the ones that count. */
  name: string;
  /** The variant's option values, such as `M / Red`; empty for a product without options. */
  variantTitle: string;
  /** The variant's value of each option (`{Size: "M"}`), to link back to it on the product page. */
  options?: Record<string, string>;
  price: number;
  currency: string;
  imageUrl: string | null;
  /** Stock when the line was last checked; quantities never exceed it. */
  stock: number;
  /** A line stored by product whose product now has options: choose them to order it. */
  needsOptions?: true;
}

export type Cart = CartLine[];

export const MAX_LINE_QUANTITY = 99;

/** A line's identity in the cart: its variant, or its product for a line stored before variants. */
export function lineKey(line: Pick<CartLine, 'variantId' | 'productId'>): string {
  return line.variantId ?? `product:${line.productId}`;
}

/** The product's name and the variant's title, as one line of text: `T-Shirt (M / Red)`. */
export function lineLabel(line: { name: string; variantTitle?: string | undefined }): string {
  return line.variantTitle ? `${line.name} (${line.variantTitle})` : line.name;
}

export function clampQuantity(quantity: number, stock: number): number {
  if (!Number.isFinite(quantity)) return 1;
  return Math.max(0, Math.min(Math.floor(quantity), stock, MAX_LINE_QUANTITY));
}

/** Adds `quantity` of a variant, merging with its line; returns the cart unchanged when none is in stock. */
export function addToCart(cart: Cart, item: Omit<CartLine, 'quantity'>, quantity = 1): Cart {
  const key = lineKey(item);
  const existing = cart.find((line) => lineKey(line) === key);
  const wanted = clampQuantity((existing?.quantity ?? 0) + quantity, item.stock);
  if (wanted === 0) return cart;
  if (!existing) return [...cart, { ...item, quantity: wanted }];
  return cart.map((line) =>
    lineKey(line) === key ? { ...line, ...item, quantity: wanted } : line,
  );
}

/** Sets a line's quantity (clamped to stock); 0 removes the line. */
export function setQuantity(cart: Cart, key: string, quantity: number): Cart {
  return cart.flatMap((line) => {
    if (lineKey(line) !== key) return [line];
    const next = clampQuantity(quantity, line.stock);
    return next === 0 ? [] : [{ ...line, quantity: next }];
  });
}

export function removeLine(cart: Cart, key: string): Cart {
  return cart.filter((line) => lineKey(line) !== key);
}

/** What the server says of a line: a quote line, or a line of an OUT_OF_STOCK problem. */
export interface ServerLine {
  productId: string;
  variantId?: string | undefined;
  variantTitle?: string | undefined;
  /** In stock now. */
  available: number;
}

/**
 * Records what the server reported, so later changes are checked against it: each line's
 * stock, and for a line stored before variants, its variant (found by product: the server
 * resolved the productId to its one variant). A line that comes to name a variant another line
 * already has joins it. Answers the same cart when nothing changed.
 */
export function updateFromServer(cart: Cart, lines: readonly ServerLine[]): Cart {
  let changed = false;
  const next: Cart = [];
  for (const line of cart) {
    const server = lines.find((s) =>
      line.variantId === undefined
        ? s.productId === line.productId && s.variantId !== undefined
        : s.variantId === line.variantId,
    );
    let updated = line;
    if (server && server.available !== line.stock)
      updated = { ...updated, stock: server.available };
    if (server && line.variantId === undefined) {
      updated = {
        ...updated,
        variantId: server.variantId!,
        variantTitle: server.variantTitle ?? updated.variantTitle,
      };
    }
    if (updated !== line) changed = true;
    const same = next.findIndex((other) => lineKey(other) === lineKey(updated));
    if (same < 0) {
      next.push(updated);
    } else {
      changed = true;
      const merged = next[same]!;
      next[same] = {
        ...merged,
        quantity: Math.max(1, clampQuantity(merged.quantity + updated.quantity, merged.stock)),
      };
    }
  }
  return changed ? next : cart;
}

/** Marks the lines stored by product (no variant) of these products as needing their options chosen. */
export function markNeedsOptions(cart: Cart, productIds: readonly string[]): Cart {
  if (
    !cart.some(
      (line) => !line.variantId && !line.needsOptions && productIds.includes(line.productId),
    )
  )
    return cart;
  return cart.map((line) =>
    !line.variantId && productIds.includes(line.productId)
      ? { ...line, needsOptions: true as const }
      : line,
  );
}

/** The lines that can be ordered as they are: all but those needing their options chosen. */
export function orderableLines(cart: Cart): Cart {
  return cart.filter((line) => !line.needsOptions);
}

export function itemCount(cart: Cart): number {
  return cart.reduce((sum, line) => sum + line.quantity, 0);
}

/**
 * The request body for a quote or an order: ids and quantities only, never a price. A line
 * names its variant; a line stored before variants names its product (the API takes that for
 * a product without options). Lines needing their options chosen are left out.
 */
export function toOrderItems(
  cart: Cart,
): ({ variantId: string; quantity: number } | { productId: string; quantity: number })[] {
  return orderableLines(cart).map(({ variantId, productId, quantity }) =>
    variantId === undefined ? { productId, quantity } : { variantId, quantity },
  );
}

/**
 * Reads a stored cart, dropping anything malformed (a hand edit). Lines stored before variants
 * (no `variantId`, no `variantTitle`) are kept, with an empty title; duplicate lines are merged.
 */
export function parseCart(text: string | null): Cart {
  if (!text) return [];
  try {
    const value: unknown = JSON.parse(text);
    if (!Array.isArray(value)) return [];
    const cart: Cart = [];
    for (const item of value) {
      const line = toCartLine(item);
      if (!line) continue;
      const same = cart.findIndex((other) => lineKey(other) === lineKey(line));
      if (same < 0) cart.push(line);
      else cart[same] = { ...cart[same]!, quantity: cart[same]!.quantity + line.quantity };
    }
    return cart;
  } catch {
    return [];
  }
}

function toCartLine(value: unknown): CartLine | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const line = value as Record<string, unknown>;
  const valid =
    typeof line.productId === 'string' &&
    (line.variantId === undefined || typeof line.variantId === 'string') &&
    (line.variantTitle === undefined || typeof line.variantTitle === 'string') &&
    typeof line.quantity === 'number' &&
    Number.isInteger(line.quantity) &&
    line.quantity > 0 &&
    typeof line.name === 'string' &&
    typeof line.price === 'number' &&
    typeof line.currency === 'string' &&
    typeof line.stock === 'number' &&
    (line.imageUrl === null || typeof line.imageUrl === 'string');
  if (!valid) return undefined;
  const options = isStringRecord(line.options) ? line.options : undefined;
  return {
    ...(typeof line.variantId === 'string' ? { variantId: line.variantId } : {}),
    productId: line.productId as string,
    quantity: line.quantity as number,
    name: line.name as string,
    variantTitle: (line.variantTitle as string | undefined) ?? '',
    ...(options ? { options } : {}),
    price: line.price as number,
    currency: line.currency as string,
    imageUrl: line.imageUrl as string | null,
    stock: line.stock as number,
    ...(line.needsOptions === true && typeof line.variantId !== 'string'
      ? { needsOptions: true as const }
      : {}),
  };
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string')
  );
}
