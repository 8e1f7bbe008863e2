import { describe, expect, it } from 'vitest';
import { imageUploadMessage, moveImage, parseStockDelta } from './product-logic';

describe('product editing logic', () => {
  it('explains each refused upload', () => {
    expect(imageUploadMessage(413)).toMatch(/at most 5 MB/);
    expect(imageUploadMessage(415)).toMatch(/not an image Ordo accepts/);
    expect(imageUploadMessage(422, '41 megapixels')).toMatch(/too many pixels.*41 megapixels/);
    expect(imageUploadMessage(404, 'Product not found')).toBe('Product not found');
  });

  it('reads signed whole stock changes', () => {
    expect(parseStockDelta('10')).toEqual({ ok: true, delta: 10 });
    expect(parseStockDelta('+4')).toEqual({ ok: true, delta: 4 });
    expect(parseStockDelta('-3')).toEqual({ ok: true, delta: -3 });
    expect(parseStockDelta('\u22122')).toEqual({ ok: true, delta: -2 });
    for (const bad of ['', '0', '1.5', 'ten', '--1', '99999999']) {
      expect(parseStockDelta(bad).ok).toBe(false);
    }
  });

  it('moves an image one place, never off the ends', () => {
    expect(moveImage(['a', 'b', 'c'], 'c', -1)).toEqual(['a', 'c', 'b']);
    expect(moveImage(['a', 'b', 'c'], 'a', 1)).toEqual(['b', 'a', 'c']);
    expect(moveImage(['a', 'b'], 'a', -1)).toEqual(['a', 'b']);
    expect(moveImage(['a', 'b'], 'x', 1)).toEqual(['a', 'b']);
  });
});
