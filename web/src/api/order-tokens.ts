/**
 * Guest orders' tokens, kept for the tab (sessionStorage): placing an order as a guest answers
 * its token once, and the order's emails link to `/orders/<id>#token=…`. The API client sends
 * the token as `X-Order-Token` on that order's requests (client.ts), and only on those. It
 * lives in the fragment of the emailed link, which browsers never send to a server (no access
 * log, no Referer); the order page takes it from there and takes it out of the address bar.
 */
import { useState } from 'react';

const KEY = 'ordo.orderTokens.v1';

type Tokens = Record<string, string>;

function read(): Tokens {
  try {
    const stored = JSON.parse(sessionStorage.getItem(KEY) ?? '{}') as unknown;
    return stored && typeof stored === 'object' ? (stored as Tokens) : {};
  } catch {
    return {};
  }
}

/** Keeps a guest order's token for this tab. */
export function rememberOrderToken(orderId: string, token: string): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify({ ...read(), [orderId]: token }));
  } catch {
    // Storage unavailable: the order opens from its emailed link instead.
  }
}

/** The token this tab holds for an order, if any. */
export function orderTokenFor(orderId: string): string | undefined {
  const token = read()[orderId];
  return typeof token === 'string' ? token : undefined;
}

/** The order id an API path is about (`/api/v1/orders/<id>` and below), if any. */
export function orderIdOfPath(pathname: string): string | undefined {
  const match = /^\/api\/v1\/orders\/([^/]+)(?:\/|$)/.exec(pathname);
  const id = match?.[1];
  return id === undefined || id === 'quote' ? undefined : decodeURIComponent(id);
}

/** `#token=…` as the order's emailed link carries it. */
export function tokenOfFragment(hash: string): string | undefined {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return token || undefined;
}

/**
 * On an order's page: keeps the token of its emailed link (`#token=…`) and takes the fragment
 * out of the address bar, so it is neither in the history nor on a shared screen.
 */
export function takeOrderTokenFromLocation(orderId: string): void {
  const token = tokenOfFragment(window.location.hash);
  if (!token) return;
  rememberOrderToken(orderId, token);
  const { pathname, search } = window.location;
  window.history.replaceState(window.history.state, '', pathname + search);
}

/**
 * On an order's page: takes the token from the address (an emailed link) on first render, and
 * says whether the tab holds one for the order.
 */
export function useOrderToken(orderId: string): boolean {
  const [held] = useState(() => {
    if (typeof window !== 'undefined') takeOrderTokenFromLocation(orderId);
    return orderTokenFor(orderId) !== undefined;
  });
  return held;
}
