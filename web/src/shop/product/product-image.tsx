import type { Product } from '../../api/types';
import { cn } from '../../ui';

/**
 * An image's variants as `srcset` (the browser picks the narrowest that fills `sizes` at the
 * screen's density), its narrowest as `src`, and its widest's dimensions, so the box is
 * reserved before the bytes arrive.
 */
export function imageSources(image: Product['images'][number]) {
  const variants = image.variants.length > 0 ? image.variants : [image];
  return {
    src: variants[0]!.url,
    srcSet: variants.map((v) => `${v.url} ${v.width}w`).join(', '),
    width: image.width,
    height: image.height,
  };
}

/**
 * An image at list width, as a product's `imageUrl` is its first image: its widest rendition
 * up to 640 px wide (the narrowest when all are wider).
 */
export function listImageUrl(image: Product['images'][number]): string {
  const variants = image.variants.length > 0 ? image.variants : [image];
  const fitting = variants.filter((v) => v.width <= 640);
  const chosen = fitting.length > 0 ? fitting[fitting.length - 1]! : variants[0]!;
  return chosen.url;
}

/**
 * A product's first image, whole (the drawings and most product photos are 4:3; another shape
 * is letterboxed, never cropped), or a tidy placeholder with its initials when it has none yet.
 */
export function ProductImage({
  product,
  sizes,
  alt = product.name,
  priority = false,
  className,
}: {
  product: Pick<Product, 'name' | 'imageUrl' | 'images'>;
  /** The `sizes` attribute: the width it is shown at, in CSS, per breakpoint. */
  sizes: string;
  /** "" inside a link or row that already names the product. */
  alt?: string;
  /** Above the fold on first load (the largest paint): fetched at once, first. */
  priority?: boolean;
  className?: string;
}) {
  const first = product.images[0];
  const box = 'aspect-[4/3] w-full rounded-md bg-slate-100';
  if (first || product.imageUrl) {
    const sources = first ? imageSources(first) : { src: product.imageUrl! };
    return (
      <img
        {...sources}
        sizes={first ? sizes : undefined}
        alt={alt}
        loading={priority ? 'eager' : 'lazy'}
        fetchPriority={priority ? 'high' : undefined}
        decoding="async"
        className={cn(box, 'object-contain', className)}
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
      role={alt ? 'img' : undefined}
      aria-label={alt ? `${alt} (no photo yet)` : undefined}
      aria-hidden={alt ? undefined : true}
      className={cn(
        box,
        'flex items-center justify-center bg-gradient-to-br from-slate-100 to-indigo-100 text-3xl font-semibold text-indigo-400',
        className,
      )}
    >
      {initials}
    </div>
  );
}
