import { useSyncExternalStore } from 'react';
import { parseCart, type Cart } from './cart';

/** The cart, kept in localStorage so it survives reloads, and shared by every tab. */
const KEY = 'ordo.cart.v1';

let cart: Cart = parseCart(readStorage());
const listeners = new Set<() => void>();

function readStorage(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

function notify(): void {
  for (const listener of listeners) listener();
}

export function getCart(): Cart {
  return cart;
}

export function updateCart(change: (cart: Cart) => Cart): void {
  const next = change(cart);
  if (next === cart) return;
  cart = next;
  try {
    localStorage.setItem(KEY, JSON.stringify(cart));
  } catch {
    // Private mode or full storage: the cart still works for this page.
  }
  notify();
}

export function clearCart(): void {
  updateCart(() => []);
}

window.addEventListener('storage', (event) => {
  if (event.key !== KEY) return;
  cart = parseCart(event.newValue);
  notify();
});

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useCart(): Cart {
  return useSyncExternalStore(subscribe, getCart);
}
