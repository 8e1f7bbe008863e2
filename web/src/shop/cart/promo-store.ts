import { useSyncExternalStore } from 'react';

/** The promo code the customer entered, kept with the cart across reloads. */
const KEY = 'ordo.promo.v1';
let code = read();
const listeners = new Set<() => void>();

function read(): string {
  try {
    return localStorage.getItem(KEY) ?? '';
  } catch {
    return '';
  }
}

export function setPromoCode(next: string): void {
  code = next.trim();
  try {
    if (code) localStorage.setItem(KEY, code);
    else localStorage.removeItem(KEY);
  } catch {
    // Storage unavailable: the code still applies on this page.
  }
  for (const listener of listeners) listener();
}

export function usePromoCode(): string {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => code,
  );
}
