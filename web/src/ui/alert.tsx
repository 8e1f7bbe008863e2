import type { ReactNode } from 'react';
import { fieldLabel, problemMessage, toProblem } from '../api/problem';
import { cn } from './cn';

type Tone = 'error' | 'warning' | 'success' | 'info';

const tones: Record<Tone, string> = {
  error: 'border-red-200 bg-red-50 text-red-800',
  warning: 'border-amber-200 bg-amber-50 text-amber-900',
  success: 'border-emerald-200 bg-emerald-50 text-emerald-800',
  info: 'border-sky-200 bg-sky-50 text-sky-900',
};

export function Alert({
  tone = 'info',
  title,
  children,
  className,
}: {
  tone?: Tone;
  title?: string;
  children?: ReactNode;
  className?: string;
}) {
  return (
    <div
      role={tone === 'error' ? 'alert' : 'status'}
      className={cn('rounded-md border px-4 py-3 text-sm', tones[tone], className)}
    >
      {title && <p className="font-semibold">{title}</p>}
      {children && <div className={title ? 'mt-1' : undefined}>{children}</div>}
    </div>
  );
}

/** An API problem (or any error) shown to the person: its title and `detail`. */
export function ProblemAlert({
  error,
  title,
  className,
  action,
}: {
  error: unknown;
  title?: string;
  className?: string;
  action?: ReactNode;
}) {
  const problem = toProblem(error);
  return (
    <Alert tone="error" title={title ?? problem.title} className={className}>
      <p>{problemMessage(error)}</p>
      {problem.errors && problem.errors.length > 0 && (
        <ul className="mt-1 list-disc pl-5">
          {problem.errors.map((e) => (
            <li key={e.path + e.message}>
              {fieldLabel(e.path)}: {e.message}
            </li>
          ))}
        </ul>
      )}
      {action && <div className="mt-2">{action}</div>}
    </Alert>
  );
}
