import { useState } from 'react';
import type { Product } from '../../api/types';
import { Button } from '../../ui';
import { listImageUrl } from '../product/product-image';
import { addToCart, lineKey, lineLabel } from './cart';
import { updateCart, useCart } from './cart-store';

type Variant = Product['variants'][number];

/**
 * Adds a variant of a product to the cart (a product without options: its one variant), never
 * beyond its stock, and says so. Without a variant (a combination the shop does not sell), it
 * says the choice is unavailable.
 */
export function AddToCartButton({
  product,
  variant = product.options.length === 0 ? product.variants[0] : undefined,
  quantity = 1,
  className,
}: {
  product: Product;
  variant?: Variant | undefined;
  quantity?: number;
  className?: string;
}) {
  const cart = useCart();
  const [added, setAdded] = useState<string>();
  const key = variant ? lineKey({ variantId: variant.id, productId: product.id }) : undefined;
  const inCart = cart.find((line) => key !== undefined && lineKey(line) === key)?.quantity ?? 0;
  const stock = variant?.stock ?? 0;
  const unavailable = !variant?.active;
  const soldOut = !unavailable && stock <= 0;
  const atLimit = !unavailable && !soldOut && inCart >= stock;
  // The name starts with the visible label, so a voice command saying what it reads works.
  const label = unavailable ? 'Unavailable' : soldOut ? 'Out of stock' : 'Add to cart';
  const image = product.images.find((i) => i.id === variant?.imageId);

  return (
    <div className={className}>
      <Button
        className="w-full"
        disabled={unavailable || soldOut || atLimit}
        aria-label={`${label}: ${lineLabel({ name: product.name, variantTitle: variant?.title })}`}
        onClick={() => {
          if (!variant) return;
          updateCart((current) =>
            addToCart(
              current,
              {
                variantId: variant.id,
                productId: product.id,
                name: product.name,
                variantTitle: variant.title,
                options: variant.options,
                price: variant.price,
                currency: product.currency,
                imageUrl: image ? listImageUrl(image) : product.imageUrl,
                stock: variant.stock,
              },
              quantity,
            ),
          );
          setAdded(key);
        }}
      >
        {label}
      </Button>
      <p aria-live="polite" className="mt-1 min-h-4 text-xs text-slate-600">
        {atLimit
          ? `All ${stock} in stock are in your cart`
          : added !== undefined && added === key && inCart > 0
            ? `${inCart} in cart`
            : ''}
      </p>
    </div>
  );
}
