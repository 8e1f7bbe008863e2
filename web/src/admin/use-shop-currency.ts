import { $api } from '../api/client';

/** The shop's currency, for amounts typed before there is a product or order that carries one. */
export function useShopCurrency(): string | undefined {
  return $api.useQuery('get', '/api/v1/admin/stats').data?.currency;
}
