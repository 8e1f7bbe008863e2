import { describe, expect, it } from 'vitest';
import {
  addToCart,
  clampQuantity,
  itemCount,
  lineKey,
  lineLabel,
  markNeedsOptions,
  orderableLines,
  parseCart,
  removeLine,
  setQuantity,
  toOrderItems,
  updateFromServer,
  type Cart,
} from './cart';

const lamp = {
  variantId: 'v1',
  productId: 'p1',
  name: 'Lamp',
  variantTitle: '',
  price: 1000,
  currency: 'USD',
  imageUrl: null,
  stock: 3,
};
const pen = {
  variantId: 'v2',
  productId: 'p2',
  name: 'Pen',
  variantTitle: '',
  price: 250,
  currency: 'USD',
  imageUrl: null,
  stock: 10,
};
/** Two variants of one product. */
const teeM = {
  variantId: 'v3',
  productId: 'p3',
  name: 'Tee',
  variantTitle: 'M / Red',
  options: { Size: 'M', Colour: 'Red' },
  price: 2500,
  currency: 'USD',
  imageUrl: null,
  stock: 5,
};
const teeL = { ...teeM, variantId: 'v4', variantTitle: 'L / Blue', stock: 2 };

/** A line as carts stored it before variants: by product, no variant, no title. */
const storedBefore = {
  productId: 'p1',
  quantity: 2,
  name: 'Lamp',
  price: 1000,
  currency: 'USD',
  imageUrl: null,
  stock: 3,
};

describe('cart', () => {
  it('adds a variant, merging repeated adds into one line', () => {
    let cart: Cart = [];
    cart = addToCart(cart, lamp);
    cart = addToCart(cart, lamp);
    cart = addToCart(cart, pen, 4);
    expect(cart).toEqual([
      { ...lamp, quantity: 2 },
      { ...pen, quantity: 4 },
    ]);
    expect(itemCount(cart)).toBe(6);
  });

  it('keeps two variants of one product as two lines, each with its title', () => {
    let cart: Cart = [];
    cart = addToCart(cart, teeM, 2);
    cart = addToCart(cart, teeL);
    cart = addToCart(cart, teeM);
    expect(cart.map((l) => [lineKey(l), l.variantTitle, l.quantity])).toEqual([
      ['v3', 'M / Red', 3],
      ['v4', 'L / Blue', 1],
    ]);
    expect(lineLabel(cart[0]!)).toBe('Tee (M / Red)');
    expect(lineLabel({ name: 'Lamp', variantTitle: '' })).toBe('Lamp');
    // Each variant's own stock bounds its line.
    expect(addToCart(cart, teeL, 5).find((l) => l.variantId === 'v4')?.quantity).toBe(2);
    expect(removeLine(cart, 'v3').map(lineKey)).toEqual(['v4']);
  });

  it('never holds more than the known stock, and adds nothing that is sold out', () => {
    expect(addToCart([], lamp, 10)).toEqual([{ ...lamp, quantity: 3 }]);
    const soldOut = { ...lamp, stock: 0 };
    const cart: Cart = [];
    expect(addToCart(cart, soldOut)).toBe(cart);
    expect(clampQuantity(2.7, 5)).toBe(2);
    expect(clampQuantity(Number.NaN, 5)).toBe(1);
    expect(clampQuantity(500, 1000)).toBe(99);
  });

  it('sets, clamps and removes quantities by line', () => {
    const cart = addToCart(addToCart([], lamp), pen);
    expect(setQuantity(cart, 'v1', 9)[0]?.quantity).toBe(3);
    expect(setQuantity(cart, 'v1', 0).map((l) => l.productId)).toEqual(['p2']);
    expect(removeLine(cart, 'v2').map((l) => l.productId)).toEqual(['p1']);
  });

  it('records the stock the server reports, and keeps the same cart when nothing changed', () => {
    const cart = addToCart([], lamp, 2);
    expect(updateFromServer(cart, [{ productId: 'p1', variantId: 'v1', available: 3 }])).toBe(cart);
    const updated = updateFromServer(cart, [{ productId: 'p1', variantId: 'v1', available: 1 }]);
    expect(updated[0]).toMatchObject({ stock: 1, quantity: 2 });
    // A later change is checked against the new stock.
    expect(setQuantity(updated, 'v1', 2)[0]?.quantity).toBe(1);
    // A variant's stock is its own: another variant of the product is left alone.
    const tees = addToCart(addToCart([], teeM), teeL);
    const after = updateFromServer(tees, [{ productId: 'p3', variantId: 'v4', available: 0 }]);
    expect(after.map((l) => l.stock)).toEqual([5, 0]);
  });

  it('sends variant ids and quantities only, never a price', () => {
    expect(toOrderItems(addToCart(addToCart([], pen, 2), teeM))).toEqual([
      { variantId: 'v2', quantity: 2 },
      { variantId: 'v3', quantity: 1 },
    ]);
  });

  it('reads a stored cart and drops anything malformed', () => {
    const stored = JSON.stringify([
      { ...lamp, quantity: 1 },
      { ...teeM, quantity: 2 },
      { productId: 'x' },
      'junk',
      { ...pen, quantity: -1 },
      { ...pen, variantId: 7, quantity: 1 },
      { ...pen, quantity: 1, options: ['not', 'a', 'map'] },
    ]);
    expect(parseCart(stored)).toEqual([
      { ...lamp, quantity: 1 },
      { ...teeM, quantity: 2 },
      { ...pen, quantity: 1 },
    ]);
    expect(parseCart('{not json')).toEqual([]);
    expect(parseCart(null)).toEqual([]);
    expect(parseCart('{"a":1}')).toEqual([]);
  });
});

describe('carts stored before variants', () => {
  it('are read as lines by product, ordered by productId', () => {
    const cart = parseCart(JSON.stringify([storedBefore, { ...storedBefore, quantity: 1 }]));
    // The two stored lines of one product are one line.
    expect(cart).toEqual([{ ...storedBefore, variantTitle: '', quantity: 3 }]);
    expect(lineKey(cart[0]!)).toBe('product:p1');
    expect(toOrderItems(cart)).toEqual([{ productId: 'p1', quantity: 3 }]);
    expect(setQuantity(cart, 'product:p1', 1)[0]?.quantity).toBe(1);
  });

  it('take their variant from the first quote, joining a line of it already there', () => {
    const stored = parseCart(JSON.stringify([storedBefore]));
    const quoted = updateFromServer(stored, [
      { productId: 'p1', variantId: 'v1', variantTitle: '', available: 3 },
    ]);
    expect(quoted).toEqual([{ ...lamp, quantity: 2 }]);
    expect(toOrderItems(quoted)).toEqual([{ variantId: 'v1', quantity: 2 }]);
    // The same variant added by variant since: one line, within the stock.
    const both = addToCart(stored, lamp, 2);
    expect(both.map(lineKey)).toEqual(['product:p1', 'v1']);
    const merged = updateFromServer(both, [
      { productId: 'p1', variantId: 'v1', variantTitle: '', available: 3 },
      { productId: 'p1', variantId: 'v1', variantTitle: '', available: 3 },
    ]);
    expect(merged).toEqual([{ ...lamp, quantity: 3 }]);
  });

  it('whose product has options since are marked, left out of orders, and can be removed', () => {
    const stored = parseCart(
      JSON.stringify([
        { ...storedBefore, productId: 'p3', name: 'Tee' },
        { ...pen, quantity: 1 },
      ]),
    );
    const marked = markNeedsOptions(stored, ['p3']);
    expect(marked[0]).toMatchObject({ productId: 'p3', needsOptions: true });
    expect(markNeedsOptions(marked, ['p3'])).toBe(marked);
    expect(markNeedsOptions(stored, ['p9'])).toBe(stored);
    expect(orderableLines(marked).map(lineKey)).toEqual(['v2']);
    expect(toOrderItems(marked)).toEqual([{ variantId: 'v2', quantity: 1 }]);
    // The mark is kept with the cart.
    expect(parseCart(JSON.stringify(marked))[0]?.needsOptions).toBe(true);
    expect(removeLine(marked, 'product:p3').map(lineKey)).toEqual(['v2']);
    // A line that names its variant is never marked.
    const tee = addToCart([], teeM);
    expect(markNeedsOptions(tee, ['p3'])).toBe(tee);
  });
});
