import { Link } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { buttonClass, EmptyState } from '../../ui';

/**
 * What a signed-in page shows a visitor: why, and a way in that comes back to `redirect` after
 * logging in. A page that waited for a session instead spun forever ("Loading your orders…").
 */
export function SignInPrompt({
  title,
  redirect,
  children,
}: {
  title: string;
  redirect: string;
  children?: ReactNode;
}) {
  return (
    <EmptyState
      title={title}
      action={
        <Link to="/login" search={{ redirect }} className={buttonClass('primary')}>
          Log in
        </Link>
      }
    >
      {children}
    </EmptyState>
  );
}
