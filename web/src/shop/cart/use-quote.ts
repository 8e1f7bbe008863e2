import { keepPreviousData } from '@tanstack/react-query';
import { useEffect } from 'react';
import { $api } from '../../api/client';
import { toProblem, variantRequiredProducts } from '../../api/problem';
import { useSession } from '../../api/session';
import { markNeedsOptions, toOrderItems, updateFromServer, type Cart } from './cart';
import { updateCart } from './cart-store';

/**
 * The server's live price of the cart (and promo code), signed in or as a guest; a shop that
 * takes no guests answers a visitor 401 (`guestsRefused`). What the answer says is kept in the
 * cart: each line's stock, the variant of a line stored before variants, and which such lines'
 * products now need their options chosen (VARIANT_REQUIRED).
 */
export function useQuote(cart: Cart, promoCode: string) {
  const session = useSession();
  const items = toOrderItems(cart);
  const quote = $api.useQuery(
    'post',
    '/api/v1/orders/quote',
    { body: { items, ...(promoCode ? { promoCode } : {}) } },
    {
      enabled: session.status !== 'restoring' && items.length > 0,
      placeholderData: keepPreviousData,
      staleTime: 0,
    },
  );
  const lines = quote.data?.lines;
  useEffect(() => {
    if (lines) updateCart((c) => updateFromServer(c, lines));
  }, [lines]);
  const error = quote.error;
  useEffect(() => {
    const products = variantRequiredProducts(error);
    if (products.length > 0) updateCart((c) => markNeedsOptions(c, products));
  }, [error]);
  return quote;
}

/** The quote was refused for want of a session: this shop takes no guest orders. */
export const guestsRefused = (error: unknown): boolean =>
  error !== null && toProblem(error).status === 401;
