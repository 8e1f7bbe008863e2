import { createHash } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import type { Metadata, default as Sharp } from 'sharp';
import { AppError } from '../../shared/errors.js';

/** The most an upload may weigh; the multipart parser stops reading past it (413). */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
/**
 * The most pixels an upload may declare (about 8000 × 5000). A few kilobytes of PNG can claim
 * 100 000 × 100 000 pixels: the header is checked before any pixel is decoded.
 */
export const MAX_IMAGE_PIXELS = 40_000_000;
/** The widths every image is rendered at, never wider than the upload itself. */
export const IMAGE_WIDTHS = [320, 640, 1280] as const;

// sharp (libvips, ~20 MB resident) is loaded by the first image processed, not by every start.
let sharpModule: Promise<typeof Sharp> | undefined;
const loadSharp = () => (sharpModule ??= import('sharp').then((m) => m.default));

/** Formats recognised by their bytes (file-type), with the name sharp gives the same format. */
const ACCEPTED = new Map([
  ['image/jpeg', 'jpeg'],
  ['image/png', 'png'],
  ['image/webp', 'webp'],
]);

export interface ImageVariant {
  width: number;
  height: number;
  bytes: Buffer;
}

export interface ProcessedImage {
  /** Content hash of the variants: a URL made from it never needs to change what it serves. */
  hash: string;
  /** Widest first. */
  variants: ImageVariant[];
}

const unsupported = () =>
  new AppError('UNSUPPORTED_MEDIA_TYPE', 'Upload a JPEG, PNG or WebP image');

/**
 * The widths to render for an image `width` pixels wide: each fixed width it exceeds, and its
 * own width up to the largest fixed one. An image is never enlarged.
 */
export function variantWidths(width: number): number[] {
  const largest = IMAGE_WIDTHS[IMAGE_WIDTHS.length - 1]!;
  const widths = new Set<number>(IMAGE_WIDTHS.filter((w) => w < width));
  widths.add(Math.min(width, largest));
  return [...widths].sort((a, b) => b - a);
}

// Decoding a large image takes tens of megabytes and a CPU core for a while: a few at a time
// per process keeps a burst of uploads from exhausting memory. Reads never come here.
const MAX_PARALLEL = 2;
let running = 0;
const waiting: (() => void)[] = [];

async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_PARALLEL) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/**
 * Checks an upload and renders its variants: the format from its bytes (never its name or
 * declared type), the declared size against MAX_IMAGE_PIXELS before decoding, then
 * auto-oriented, metadata stripped (sharp writes none unless asked), WebP at each width.
 */
export async function processImage(bytes: Buffer): Promise<ProcessedImage> {
  const type = await fileTypeFromBuffer(bytes);
  const format = type && ACCEPTED.get(type.mime);
  if (!format) throw unsupported();

  const sharp = await loadSharp();
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw new AppError('IMAGE_UNREADABLE', `The ${type.ext.toUpperCase()} image cannot be read`);
  }
  // A file that looks like one format to file-type and decodes as another is refused.
  if (meta.format !== format) throw unsupported();
  if (meta.width * meta.height > MAX_IMAGE_PIXELS) {
    throw new AppError(
      'IMAGE_TOO_MANY_PIXELS',
      `The image is ${meta.width} × ${meta.height} pixels; at most ${MAX_IMAGE_PIXELS} pixels are accepted`,
    );
  }

  const widths = variantWidths(meta.autoOrient.width);
  const variants = await limited(async () => {
    try {
      const source = sharp(bytes, { autoOrient: true, limitInputPixels: MAX_IMAGE_PIXELS });
      return await Promise.all(
        widths.map(async (width) => {
          const { data, info } = await source
            .clone()
            .resize({ width, withoutEnlargement: true })
            .webp({ quality: 80 })
            .toBuffer({ resolveWithObject: true });
          return { width: info.width, height: info.height, bytes: data };
        }),
      );
    } catch {
      throw new AppError('IMAGE_UNREADABLE', `The ${type.ext.toUpperCase()} image is damaged`);
    }
  });

  return { hash: variantsHash(variants), variants };
}

/** The content hash of an image's variants (widest first), as its URLs carry it. */
export function variantsHash(variants: readonly ImageVariant[]): string {
  const hash = createHash('sha256');
  for (const v of variants) hash.update(`${v.width}x${v.height}:`).update(v.bytes);
  return hash.digest('hex').slice(0, 32);
}
