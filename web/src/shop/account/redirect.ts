import type { User } from '../../api/types';

/** Where to go after logging in: only a path on this site, never another origin. */
export function safeRedirect(target: string | undefined): string {
  return target && /^\/(?![/\\])/.test(target) ? target : '/';
}

/**
 * Where a person lands after logging in: the page they came from; staff and admins who came
 * from no page in particular (the shop's Log in link) land in the back office, where their
 * work is, instead of on the storefront.
 */
export function landingAfterLogin(target: string | undefined, role: User['role']): string {
  const path = safeRedirect(target);
  return path === '/' && (role === 'staff' || role === 'admin') ? '/admin' : path;
}
