/** Where to go after logging in: only a path on this site, never another origin. */
export function safeRedirect(target: string | undefined): string {
  return target && /^\/(?![/\\])/.test(target) ? target : '/';
}
