import { clsx, type ClassValue } from 'clsx';

/** Joins class names; later Tailwind classes are written to win by order, not by merging. */
export function cn(...values: ClassValue[]): string {
  return clsx(values);
}
