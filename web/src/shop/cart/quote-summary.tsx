import { useState, type FormEvent } from 'react';
import type { Quote } from '../../api/types';
import { Alert, Button, Field, Input, Money } from '../../ui';
import { setPromoCode, usePromoCode } from './promo-store';

/** Subtotal, discount, shipping and total as the server priced them. */
export function QuoteTotals({ quote }: { quote: Quote }) {
  const row = 'flex justify-between py-1 text-sm';
  return (
    <dl className="divide-y divide-slate-100">
      <div className={row}>
        <dt className="text-slate-600">Subtotal</dt>
        <dd>
          <Money amount={quote.subtotal} currency={quote.currency} />
        </dd>
      </div>
      {quote.discount > 0 && (
        <div className={row}>
          <dt className="text-slate-600">
            Discount{quote.promo?.applied ? ` (${quote.promo.code})` : ''}
          </dt>
          <dd className="text-emerald-700">
            −<Money amount={quote.discount} currency={quote.currency} />
          </dd>
        </div>
      )}
      <div className={row}>
        <dt className="text-slate-600">Shipping</dt>
        <dd>
          {quote.shipping === 0 ? (
            'Free'
          ) : (
            <Money amount={quote.shipping} currency={quote.currency} />
          )}
        </dd>
      </div>
      <div className="flex justify-between py-2 text-base font-semibold">
        <dt>Total</dt>
        <dd>
          <Money amount={quote.total} currency={quote.currency} />
        </dd>
      </div>
    </dl>
  );
}

/** Enter, apply or remove a promo code; says why the server did not apply it. */
export function PromoCodeForm({ quote }: { quote: Quote | undefined }) {
  const code = usePromoCode();
  const [text, setText] = useState(code);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setPromoCode(text);
  };
  const promo = quote?.promo;
  return (
    <div className="space-y-2">
      <form onSubmit={submit} className="flex items-end gap-2">
        <Field label="Promo code" className="flex-1">
          {(props) => (
            <Input
              {...props}
              name="promoCode"
              autoComplete="off"
              value={text}
              onChange={(e) => setText(e.target.value)}
            />
          )}
        </Field>
        <Button type="submit" variant="secondary">
          Apply code
        </Button>
      </form>
      {code && promo && promo.code.toLowerCase() === code.toLowerCase() && (
        <Alert tone={promo.applied ? 'success' : 'warning'}>
          <div className="flex items-center justify-between gap-2">
            <span>
              {promo.applied
                ? `Code ${promo.code} applied.`
                : `Code ${promo.code} does not apply: ${promo.reason ?? 'it is not valid for this cart'}.`}
            </span>
            <button
              type="button"
              className="text-sm font-medium underline"
              onClick={() => {
                setText('');
                setPromoCode('');
              }}
            >
              Remove code
            </button>
          </div>
        </Alert>
      )}
    </div>
  );
}
