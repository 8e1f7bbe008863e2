import type { ReactNode } from 'react';
import { useEffect } from 'react';

/** A page's title (also the document title), an optional action area, and its content. */
export function Page({
  title,
  actions,
  children,
  documentTitle,
}: {
  title: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  /** The tab title; defaults to `title` when that is text. */
  documentTitle?: string;
}) {
  const tabTitle = documentTitle ?? (typeof title === 'string' ? title : undefined);
  useDocumentTitle(tabTitle);
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
        {actions && <div className="flex flex-wrap gap-2">{actions}</div>}
      </div>
      {children}
    </div>
  );
}

export function useDocumentTitle(title: string | undefined): void {
  useEffect(() => {
    if (title) document.title = `${title} · Ordo`;
  }, [title]);
}

/** A white panel with an optional heading. */
export function Card({
  title,
  children,
  className,
}: {
  title?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  return (
    <section
      className={`rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-6 ${className ?? ''}`}
    >
      {title && <h2 className="mb-4 text-lg font-semibold text-slate-900">{title}</h2>}
      {children}
    </section>
  );
}
