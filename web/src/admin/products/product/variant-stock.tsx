import { Link } from '@tanstack/react-router';
import { useEffect, useRef } from 'react';
import type { Variant } from '../../../api/hooks/variants';
import { StockAdjustment } from './stock-adjustment';
import { VariantStockMovements } from './stock-movements';

/**
 * One variant's stock, opened from its row in Variants: adjust it with a reason, and read its
 * movements. The heading takes the focus when a variant is opened, so the page scrolls to it
 * and a screen reader announces it.
 */
export function VariantStock({ variant }: { variant: Variant }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [variant.id]);
  return (
    <section
      aria-labelledby={`stock-of-${variant.id}`}
      className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-6"
    >
      <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
        <h2
          id={`stock-of-${variant.id}`}
          ref={heading}
          tabIndex={-1}
          className="text-lg font-semibold text-slate-900 outline-none"
        >
          Stock of {variant.title}
        </h2>
        <Link
          to="/admin/products/$productId"
          params={{ productId: variant.productId }}
          resetScroll={false}
          className="text-sm text-indigo-700 hover:underline"
        >
          Show every variant’s movements
        </Link>
      </div>
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="min-w-0">
          <StockAdjustment
            key={variant.id}
            target={{ variantId: variant.id }}
            onHand={variant.stock}
          />
        </div>
        <div className="min-w-0 lg:col-span-2">
          <h3 className="mb-2 text-sm font-semibold text-slate-700">
            Movements of {variant.title}
          </h3>
          <VariantStockMovements variantId={variant.id} />
        </div>
      </div>
    </section>
  );
}
