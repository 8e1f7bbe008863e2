/**
 * An email's HTML as an iframe's `srcdoc`. The iframe is sandboxed without scripts or same
 * origin, so nothing in the mail can run or reach the back office; a `<base target="_blank">`
 * makes its links (the verification and order links) open in a new tab.
 */
export function emailSrcDoc(html: string): string {
  const base = '<base target="_blank">';
  if (/<head[^>]*>/i.test(html)) return html.replace(/<head([^>]*)>/i, `<head$1>${base}`);
  return `<!doctype html><html><head><meta charset="utf-8">${base}</head><body>${html}</body></html>`;
}
