import { describe, expect, it } from 'vitest';
import { emailSrcDoc } from './email-view';

describe('email view', () => {
  it('opens links in a new tab, inside the document head', () => {
    expect(emailSrcDoc('<html><head><title>x</title></head><body>Hi</body></html>')).toBe(
      '<html><head><base target="_blank"><title>x</title></head><body>Hi</body></html>',
    );
    expect(emailSrcDoc('<p>Hi</p>')).toContain(
      '<head><meta charset="utf-8"><base target="_blank"></head><body><p>Hi</p></body>',
    );
  });
});
