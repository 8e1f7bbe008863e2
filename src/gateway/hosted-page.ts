import { createHash } from 'node:crypto';
import { formatMoney } from '../shared/money.js';
import { TEST_CARDS, type CardField } from './hosted-card.js';
import type { Session } from './stripe-objects.js';

// The hosted payment page's HTML: server-rendered, no script at all, one inline style sheet
// allowed by its hash. Every field has a visible label; a problem is announced (an alert that
// takes focus on load), linked to its field, and the field says it is invalid. Card number and
// CVC are never written back into a page.

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#0f172a;background:#f1f5f9}
main{max-width:28rem;margin:0 auto;padding:1.5rem 1rem 3rem}
.brand{margin:0 0 1rem;font-size:.875rem;color:#475569}
.brand strong{color:#0f172a}
h1{margin:0;font-size:1.75rem;line-height:1.2}
h2{font-size:1rem;margin:0 0 .25rem}
.for{margin:.25rem 0 1.25rem;color:#334155}
.card{background:#fff;border:1px solid #cbd5e1;border-radius:.75rem;padding:1.25rem}
.field{margin:0 0 1rem}
.row{display:flex;gap:1rem}
.row .field{flex:1;min-width:0}
label{display:block;font-weight:600;margin-bottom:.25rem}
.hint{margin:0 0 .25rem;font-size:.875rem;color:#475569}
input{display:block;width:100%;font:inherit;padding:.625rem .75rem;border:2px solid #64748b;border-radius:.5rem;background:#fff;color:#0f172a}
input:focus{outline:3px solid #4f46e5;outline-offset:1px}
input[aria-invalid=true]{border-color:#b91c1c}
.error{margin:0 0 .25rem;font-size:.875rem;font-weight:600;color:#b91c1c}
button{width:100%;font:inherit;font-weight:700;padding:.75rem;border:0;border-radius:.5rem;background:#4338ca;color:#fff;cursor:pointer}
button:hover{background:#3730a3}
button:focus{outline:3px solid #0f172a;outline-offset:2px}
.alert{border:2px solid #b91c1c;background:#fef2f2;border-radius:.5rem;padding:.75rem 1rem;margin:0 0 1rem}
.alert:focus{outline:3px solid #0f172a;outline-offset:2px}
.alert p,.alert ul{margin:.25rem 0 0}
.alert a{color:#7f1d1d;font-weight:600}
.done{border-color:#15803d;background:#f0fdf4}
.cancel{margin:1rem 0 0;text-align:center}
a{color:#3730a3}
table{width:100%;border-collapse:collapse;font-size:.875rem}
th,td{text-align:left;padding:.375rem .25rem;border-top:1px solid #e2e8f0;vertical-align:top}
td:first-child{white-space:nowrap;font-family:ui-monospace,monospace}
.tests{margin-top:1.5rem}
.tests p{font-size:.875rem;color:#475569;margin:.25rem 0 .5rem}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;

const styleHash = createHash('sha256').update(STYLE).digest('base64');

/** The page's own CSP: nothing but its style; forms post to itself and may be sent on to `returnOrigins`. */
export function pageSecurityHeaders(returnOrigins: string[] = []): Record<string, string> {
  const formAction = ["'self'", ...new Set(returnOrigins)].join(' ');
  return {
    'content-security-policy': `default-src 'none'; style-src 'sha256-${styleHash}'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
    'cache-control': 'no-store',
    // The page's own posts name their origin; nothing of it goes to another site.
    'referrer-policy': 'same-origin',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'content-type': 'text/html; charset=utf-8',
  };
}

const escapeHtml = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

function document(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<p class="brand"><strong>Test payment page</strong> · Ordo’s built-in payment gateway</p>
${body}
</main>
</body>
</html>
`;
}

const amountOf = (session: Session) => formatMoney(session.amount, session.currency.toUpperCase());

/** What went wrong on the last try, if anything: a decline, or a problem per field. */
export type PageProblem =
  | { kind: 'declined'; message: string }
  | { kind: 'fields'; errors: Partial<Record<CardField, string>> };

const FIELDS: { id: CardField; label: string; hint?: string; attrs: string }[] = [
  {
    id: 'cardNumber',
    label: 'Card number',
    attrs:
      'inputmode="numeric" autocomplete="cc-number" spellcheck="false" maxlength="23" placeholder="1234 1234 1234 1234"',
  },
  {
    id: 'expiry',
    label: 'Expiry',
    hint: 'MM / YY',
    attrs: 'inputmode="numeric" autocomplete="cc-exp" maxlength="7" placeholder="MM / YY"',
  },
  {
    id: 'cvc',
    label: 'CVC',
    hint: '3 or 4 digits',
    attrs: 'inputmode="numeric" autocomplete="cc-csc" maxlength="4" placeholder="123"',
  },
  { id: 'name', label: 'Name on card', attrs: 'autocomplete="cc-name" maxlength="100"' },
];

function field(spec: (typeof FIELDS)[number], value: string, error: string | undefined): string {
  const described = [
    spec.hint ? `${spec.id}-hint` : undefined,
    error ? `${spec.id}-error` : undefined,
  ].filter(Boolean);
  return `<div class="field">
<label for="${spec.id}">${spec.label}</label>
${spec.hint ? `<p class="hint" id="${spec.id}-hint">${spec.hint}</p>` : ''}
${error ? `<p class="error" id="${spec.id}-error"><span class="sr-only">Error: </span>${escapeHtml(error)}</p>` : ''}
<input id="${spec.id}" name="${spec.id}" type="text" required ${spec.attrs}${value ? ` value="${escapeHtml(value)}"` : ''}${error ? ' aria-invalid="true"' : ''}${described.length ? ` aria-describedby="${described.join(' ')}"` : ''}>
</div>`;
}

function problemBox(problem: PageProblem | undefined): string {
  if (!problem) return '';
  // Focused on load, so a screen reader reads it first and the keyboard starts there.
  const open = '<div class="alert" role="alert" id="problem" tabindex="-1" autofocus>';
  if (problem.kind === 'declined') {
    return `${open}<h2>Payment declined</h2><p>${escapeHtml(problem.message)} Nothing was charged. Try again, or use another card.</p></div>`;
  }
  const items = FIELDS.filter((f) => problem.errors[f.id])
    .map((f) => `<li><a href="#${f.id}">${escapeHtml(problem.errors[f.id]!)}</a></li>`)
    .join('');
  return `${open}<h2>There is a problem</h2><ul>${items}</ul></div>`;
}

/** The open session's page: the card form, the test cards, a way back. */
export function paymentPage(
  session: Session,
  options: { problem?: PageProblem; values?: { expiry?: string; name?: string } } = {},
): string {
  const { problem, values = {} } = options;
  const errors = problem?.kind === 'fields' ? problem.errors : {};
  const rows = TEST_CARDS.map(
    (c) => `<tr><td>${c.number}</td><td>${escapeHtml(c.outcome)}</td></tr>`,
  ).join('');
  const amount = amountOf(session);
  const fields = (ids: CardField[]) =>
    FIELDS.filter((f) => ids.includes(f.id))
      .map((f) =>
        field(f, f.id === 'expiry' || f.id === 'name' ? (values[f.id] ?? '') : '', errors[f.id]),
      )
      .join('\n');
  const body = `<h1>Pay ${escapeHtml(amount)}</h1>
<p class="for">${escapeHtml(session.description)}</p>
${problemBox(problem)}
<form class="card" method="post" action="/pay/${escapeHtml(session.id)}" novalidate aria-label="Card details">
${fields(['cardNumber'])}
<div class="row">
${fields(['expiry', 'cvc'])}
</div>
${fields(['name'])}
<button type="submit">Pay</button>
</form>
<p class="cancel"><a href="${escapeHtml(session.cancelUrl)}">Cancel and return to the shop</a></p>
<section class="tests" aria-labelledby="test-cards">
<h2 id="test-cards">Test cards</h2>
<p>This page takes test cards only. Use any future expiry date, any 3-digit CVC and any name.</p>
<table><thead><tr><th scope="col">Card number</th><th scope="col">Outcome</th></tr></thead><tbody>${rows}</tbody></table>
</section>`;
  const title = `${problem ? 'Error: ' : ''}Pay ${amount} · ${session.description}`;
  return document(title, body);
}

/** A session that takes no payment any more: paid (or processing) already, or expired. */
export function closedPage(session: Session, status: 'complete' | 'expired'): string {
  if (status === 'complete') {
    return document(
      'This payment is complete',
      `<h1>This payment is complete</h1>
<div class="alert done" role="status"><p>${escapeHtml(amountOf(session))} for ${escapeHtml(session.description)} was paid on this page. Nothing more is charged.</p></div>
<p><a href="${escapeHtml(session.successUrl.replaceAll('{CHECKOUT_SESSION_ID}', session.id))}">Return to the shop</a></p>`,
    );
  }
  return document(
    'This payment page has expired',
    `<h1>This payment page has expired</h1>
<div class="alert" role="status"><p>Nothing was charged. Go back to the shop to pay again.</p></div>
<p><a href="${escapeHtml(session.cancelUrl)}">Return to the shop</a></p>`,
  );
}

/** No such session. */
export function missingPage(): string {
  return document(
    'Payment page not found',
    `<h1>Payment page not found</h1>
<p>This payment link is not valid. Go back to the shop and start the payment again.</p>`,
  );
}
