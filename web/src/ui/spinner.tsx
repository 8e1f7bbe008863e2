import { cn } from './cn';

export function Spinner({ size = 'md', label }: { size?: 'sm' | 'md'; label?: string }) {
  return (
    <span
      role={label ? 'status' : undefined}
      className="inline-flex items-center gap-2 text-slate-600"
    >
      <span
        aria-hidden="true"
        className={cn(
          'inline-block animate-spin rounded-full border-2 border-current border-t-transparent',
          size === 'sm' ? 'h-4 w-4' : 'h-6 w-6',
        )}
      />
      {label && <span>{label}</span>}
    </span>
  );
}

/** A whole-area loading state. */
export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="flex justify-center py-12">
      <Spinner label={label} />
    </div>
  );
}
