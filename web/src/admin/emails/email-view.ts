/**
 * An email's HTML as an iframe's `srcdoc`. The iframe is sandboxed without scripts or same
 * origin, so nothing in the mail can run or reach the back office; a `<base target="_blank">`
 * makes its links (the verification and order links) open in a new tab.
 *
 * A srcdoc document lives under the page's Content-Security-Policy. When that policy allows
 * styles only with the page's nonce, the mail's inline `style="…"` attributes (which every
 * email uses) would be blocked: with a nonce, they become rules of one `<style nonce>` element
 * (marked `!important`, so they still win as inline styles do), and the mail's own `<style>`
 * elements get the nonce too.
 */
export function emailSrcDoc(html: string, nonce?: string): string {
  let body = html;
  let css = '';
  if (nonce) {
    let count = 0;
    body = body.replace(
      /\sstyle\s*=\s*(?:"([^"]*)"|'([^']*)')/gi,
      (_match, dq?: string, sq?: string) => {
        count += 1;
        css += `[data-ordo-style="${count}"]{${importantDeclarations(decodeEntities(dq ?? sq ?? ''))}}\n`;
        return ` data-ordo-style="${count}"`;
      },
    );
    body = body.replace(/<style(?![^>]*\snonce=)([^>]*)>/gi, `<style nonce="${nonce}"$1>`);
  }
  const head =
    '<base target="_blank">' +
    (css ? `<style nonce="${nonce ?? ''}">${css.replace(/</g, '\\3c ')}</style>` : '');
  if (/<head[^>]*>/i.test(body)) return body.replace(/<head([^>]*)>/i, `<head$1>${head}`);
  return `<!doctype html><html><head><meta charset="utf-8">${head}</head><body>${body}</body></html>`;
}

function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function importantDeclarations(style: string): string {
  return style
    .split(';')
    .map((declaration) => declaration.trim())
    .filter((declaration) => declaration.includes(':'))
    .map((declaration) =>
      /!important$/i.test(declaration) ? declaration : `${declaration} !important`,
    )
    .join(';');
}

/** The CSP style nonce the server wrote into this page, if it uses one. */
export function pageStyleNonce(): string | undefined {
  const nonce = document.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content;
  return nonce && !nonce.startsWith('__') ? nonce : undefined;
}
