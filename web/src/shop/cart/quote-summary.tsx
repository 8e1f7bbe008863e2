import { useForm } from 'react-hook-form';
import { bodyRules } from '../../api/schema.gen';
import type { Quote } from '../../api/types';
import { Alert, Button, Field, Input, Money } from '../../ui';
import { promoRefusalMessage } from './promo-messages';
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

const promoRule = bodyRules['/api/v1/orders/quote'].post.properties.promoCode;
// Empty removes the code; the server says why a code does not apply, so only its length is
// checked. Without zod: this form is on the checkout, which draws before zod is loaded.
const promoCodeRules = {
  validate: (text: string) =>
    text.trim().length <= promoRule.maxLength || `At most ${promoRule.maxLength} characters`,
};

/** Enter, apply or remove a promo code; says why the server did not apply it. */
export function PromoCodeForm({ quote }: { quote: Quote | undefined }) {
  const code = usePromoCode();
  const form = useForm({ defaultValues: { promoCode: code } });
  const submit = form.handleSubmit(({ promoCode }) => setPromoCode(promoCode.trim()));
  const promo = quote?.promo;
  return (
    <div className="space-y-2">
      <form onSubmit={(e) => void submit(e)} noValidate className="flex items-end gap-2">
        <Field
          label="Promo code"
          className="flex-1"
          error={form.formState.errors.promoCode?.message}
        >
          {(props) => (
            <Input {...props} autoComplete="off" {...form.register('promoCode', promoCodeRules)} />
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
                : `Code ${promo.code} does not apply: ${promoRefusalMessage(promo.reason)}.`}
            </span>
            <button
              type="button"
              className="text-sm font-medium underline"
              onClick={() => {
                form.reset({ promoCode: '' });
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
