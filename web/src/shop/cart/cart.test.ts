import { describe, expect, it } from 'vitest';
import {
  addToCart,
  clampQuantity,
  itemCount,
  parseCart,
  removeLine,
  setQuantity,
  toOrderItems,
  updateStock,
  type Cart,
} from './cart';

const lamp = {
  productId: 'p1',
  name: 'Lamp',
  price: 1000,
  currency: 'USD',
  imageUrl: null,
  stock: 3,
};
const pen = {
  productId: 'p2',
  name: 'Pen',
  price: 250,
  currency: 'USD',
  imageUrl: null,
  stock: 10,
};

describe('cart', () => {
  it('adds a product, merging repeated adds into one line', () => {
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

  it('never holds more than the known stock, and adds nothing that is sold out', () => {
    expect(addToCart([], lamp, 10)).toEqual([{ ...lamp, quantity: 3 }]);
    const soldOut = { ...lamp, stock: 0 };
    const cart: Cart = [];
    expect(addToCart(cart, soldOut)).toBe(cart);
    expect(clampQuantity(2.7, 5)).toBe(2);
    expect(clampQuantity(Number.NaN, 5)).toBe(1);
    expect(clampQuantity(500, 1000)).toBe(99);
  });

  it('sets, clamps and removes quantities', () => {
    const cart = addToCart(addToCart([], lamp), pen);
    expect(setQuantity(cart, 'p1', 9)[0]?.quantity).toBe(3);
    expect(setQuantity(cart, 'p1', 0).map((l) => l.productId)).toEqual(['p2']);
    expect(removeLine(cart, 'p2').map((l) => l.productId)).toEqual(['p1']);
  });

  it('records the stock the server reports, and keeps the same cart when nothing changed', () => {
    const cart = addToCart([], lamp, 2);
    expect(updateStock(cart, { p1: 3 })).toBe(cart);
    const updated = updateStock(cart, { p1: 1 });
    expect(updated[0]).toMatchObject({ stock: 1, quantity: 2 });
    // A later change is checked against the new stock.
    expect(setQuantity(updated, 'p1', 2)[0]?.quantity).toBe(1);
  });

  it('sends ids and quantities only, never a price', () => {
    expect(toOrderItems(addToCart([], pen, 2))).toEqual([{ productId: 'p2', quantity: 2 }]);
  });

  it('reads a stored cart and drops anything malformed', () => {
    const stored = JSON.stringify([
      { ...lamp, quantity: 1 },
      { productId: 'x' },
      'junk',
      { ...pen, quantity: -1 },
    ]);
    expect(parseCart(stored)).toEqual([{ ...lamp, quantity: 1 }]);
    expect(parseCart('{not json')).toEqual([]);
    expect(parseCart(null)).toEqual([]);
    expect(parseCart('{"a":1}')).toEqual([]);
  });
});
