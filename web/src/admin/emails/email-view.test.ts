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

  it('keeps inline styles as it is when the page has no style nonce', () => {
    expect(emailSrcDoc('<p style="color:red">Hi</p>')).toContain('<p style="color:red">Hi</p>');
  });

  it('moves inline styles into one nonced style element when the page has a nonce', () => {
    const doc = emailSrcDoc(
      '<html><head><style>p{margin:0}</style></head><body><p style="color: red; font-family: &quot;Segoe UI&quot;">Hi</p><td style=\'padding:4px !important\'>x</td></body></html>',
      'abc123',
    );
    expect(doc).toContain('<p data-ordo-style="1">Hi</p>');
    expect(doc).toContain('<td data-ordo-style="2">x</td>');
    expect(doc).toContain(
      '<style nonce="abc123">[data-ordo-style="1"]{color: red !important;font-family: "Segoe UI" !important}\n[data-ordo-style="2"]{padding:4px !important}\n</style>',
    );
    expect(doc).toContain('<style nonce="abc123">p{margin:0}</style>');
    expect(doc).not.toMatch(/\sstyle=/);
  });

  it('cannot close its style element from a style value', () => {
    const doc = emailSrcDoc('<p style="x:&lt;/style&gt;&lt;script&gt;">a</p>', 'n');
    expect(doc).not.toContain('</style><script>');
  });
});
