import type { ReactNode } from 'react';
import { toProblem } from '../api/problem';
import { Alert, Button, ProblemAlert } from '../ui';
import { pageCount } from './list-search';

/**
 * An API failure on a back-office page. A 403 says plainly that this account's role may not
 * use the area (the API decides; the navigation only hides what it would refuse).
 */
export function AdminProblem({ error, title }: { error: unknown; title: string }) {
  const problem = toProblem(error);
  if (problem.status === 403) {
    return (
      <Alert tone="warning" title="You do not have permission for this">
        <p>{problem.detail ?? 'Your role does not allow this.'} Ask an admin if you need access.</p>
      </Alert>
    );
  }
  return <ProblemAlert error={error} title={title} />;
}

/** Previous and next page buttons with "Page 2 of 7 · 163 orders". */
export function Pager({
  page,
  pageSize,
  total,
  noun,
  onPage,
}: {
  page: number;
  pageSize: number;
  total: number;
  noun: string;
  onPage: (page: number) => void;
}) {
  const pages = pageCount(total, pageSize);
  return (
    <nav
      aria-label="Pages"
      className="flex flex-wrap items-center justify-between gap-3 text-sm text-slate-600"
    >
      <p>
        Page {Math.min(page, pages)} of {pages} · {total} {noun}
      </p>
      <div className="flex gap-2">
        <Button variant="secondary" disabled={page <= 1} onClick={() => onPage(page - 1)}>
          Previous page
        </Button>
        <Button variant="secondary" disabled={page >= pages} onClick={() => onPage(page + 1)}>
          Next page
        </Button>
      </div>
    </nav>
  );
}

/** A row of filter fields that wraps on a phone; submit applies them to the URL. */
export function FilterBar({
  children,
  onSubmit,
  onReset,
  label,
}: {
  children: ReactNode;
  onSubmit: (form: FormData) => void;
  onReset?: () => void;
  label: string;
}) {
  return (
    <form
      role="search"
      aria-label={label}
      className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-4"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit(new FormData(e.currentTarget));
      }}
    >
      {children}
      <div className="flex gap-2">
        <Button type="submit">Apply filters</Button>
        {onReset && (
          <Button variant="ghost" onClick={onReset}>
            Clear filters
          </Button>
        )}
      </div>
    </form>
  );
}

/** A form value as a trimmed string, or undefined when empty. */
export function formText(form: FormData, name: string): string | undefined {
  const value = form.get(name);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** A definition list row: label and value. */
export function Detail({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex flex-wrap justify-between gap-x-4 gap-y-1 py-1.5 text-sm">
      <dt className="text-slate-600">{label}</dt>
      <dd className="text-right font-medium text-slate-900">{children}</dd>
    </div>
  );
}
