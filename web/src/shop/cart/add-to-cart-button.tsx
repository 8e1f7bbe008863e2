import { useState } from 'react';
import type { Product } from '../../api/types';
import { Button } from '../../ui';
import { addToCart } from './cart';
import { updateCart, useCart } from './cart-store';

/** Adds a product to the cart, never beyond its stock, and says so. */
export function AddToCartButton({
  product,
  quantity = 1,
  className,
}: {
  product: Product;
  quantity?: number;
  className?: string;
}) {
  const cart = useCart();
  const [added, setAdded] = useState(false);
  const inCart = cart.find((line) => line.productId === product.id)?.quantity ?? 0;
  const soldOut = product.stock <= 0;
  const atLimit = !soldOut && inCart >= product.stock;
  // The name starts with the visible label, so a voice command saying what it reads works.
  const label = soldOut ? 'Out of stock' : 'Add to cart';

  return (
    <div className={className}>
      <Button
        className="w-full"
        disabled={soldOut || atLimit}
        aria-label={`${label}: ${product.name}`}
        onClick={() => {
          updateCart((current) =>
            addToCart(
              current,
              {
                productId: product.id,
                name: product.name,
                price: product.price,
                currency: product.currency,
                imageUrl: product.imageUrl,
                stock: product.stock,
              },
              quantity,
            ),
          );
          setAdded(true);
        }}
      >
        {label}
      </Button>
      <p aria-live="polite" className="mt-1 min-h-4 text-xs text-slate-600">
        {atLimit
          ? `All ${product.stock} in stock are in your cart`
          : added && inCart > 0
            ? `${inCart} in cart`
            : ''}
      </p>
    </div>
  );
}
