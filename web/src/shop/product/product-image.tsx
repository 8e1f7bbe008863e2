import type { Product } from '../../api/types';
import { cn } from '../../ui';

/** A product's image, or a tidy placeholder with its initials when it has none yet. */
export function ProductImage({
  product,
  size,
  className,
}: {
  product: Pick<Product, 'name' | 'imageUrl' | 'images'>;
  /** The width it is shown at, in CSS pixels, to pick a variant. */
  size: number;
  className?: string;
}) {
  const images = [...product.images].sort((a, b) => a.width - b.width);
  const src =
    images.find((image) => image.width >= size)?.url ?? images.at(-1)?.url ?? product.imageUrl;
  if (src) {
    return (
      <img
        src={src}
        srcSet={images.map((image) => `${image.url} ${image.width}w`).join(', ') || undefined}
        sizes={`${size}px`}
        alt={product.name}
        loading="lazy"
        className={cn('aspect-square w-full rounded-md bg-slate-100 object-cover', className)}
      />
    );
  }
  const initials = product.name
    .split(/\s+/)
    .slice(0, 2)
    .map((word) => word[0]?.toUpperCase() ?? '')
    .join('');
  return (
    <div
      role="img"
      aria-label={`${product.name} (no photo yet)`}
      className={cn(
        'flex aspect-square w-full items-center justify-center rounded-md bg-gradient-to-br from-slate-100 to-indigo-100 text-3xl font-semibold text-indigo-400',
        className,
      )}
    >
      {initials}
    </div>
  );
}
