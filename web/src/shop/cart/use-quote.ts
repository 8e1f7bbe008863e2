import { keepPreviousData } from '@tanstack/react-query';
import { $api } from '../../api/client';
import { useSession } from '../../api/session';
import { toOrderItems, type Cart } from './cart';

/** The server's live price of the cart (and promo code); only for a signed-in customer. */
export function useQuote(cart: Cart, promoCode: string) {
  const session = useSession();
  const items = toOrderItems(cart);
  return $api.useQuery(
    'post',
    '/api/v1/orders/quote',
    { body: { items, ...(promoCode ? { promoCode } : {}) } },
    {
      enabled: session.status === 'signed-in' && items.length > 0,
      placeholderData: keepPreviousData,
      staleTime: 0,
    },
  );
}
