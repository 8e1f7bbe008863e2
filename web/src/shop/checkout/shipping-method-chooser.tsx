import type { Quote } from '../../api/types';
import { Money } from '../../ui';

/**
 * The shipping methods the server offers for the address's country, cheapest first, each at
 * the price this cart would pay; the one the quote priced is checked.
 */
export function ShippingMethodChooser({
  quote,
  onChoose,
}: {
  quote: Quote;
  onChoose: (id: string) => void;
}) {
  if (quote.shippingMethods.length === 0) return null;
  return (
    <fieldset className="space-y-1">
      <legend className="text-sm font-medium text-slate-700">Shipping method</legend>
      {quote.shippingMethods.map((method) => (
        <label
          key={method.id}
          className="flex cursor-pointer items-center justify-between gap-2 rounded-md border border-slate-200 px-3 py-2 text-sm has-checked:border-indigo-500 has-checked:bg-indigo-50"
        >
          <span className="flex items-center gap-2">
            <input
              type="radio"
              name="shippingMethod"
              value={method.id}
              checked={method.id === quote.shippingMethodId}
              onChange={() => onChoose(method.id)}
              className="h-4 w-4"
            />
            {method.name}
          </span>
          {method.price === 0 ? 'Free' : <Money amount={method.price} currency={quote.currency} />}
        </label>
      ))}
    </fieldset>
  );
}
