import { useSyncExternalStore } from 'react';
import type { User } from './types';
import { isProblem, ProblemError } from './problem';

export type { User };

/**
 * The browser session. The access token lives in this module's memory only; the refresh token
 * is the httpOnly `ordo_refresh` cookie that login and refresh set and logout clears, so no
 * script can read it. On page load `restoreSession()` trades the cookie for an access token.
 */
interface SessionState {
  status: 'restoring' | 'signed-in' | 'signed-out';
  user: User | undefined;
}

let accessToken: string | undefined;

// Whether this browser may hold a refresh cookie (the cookie itself is invisible to scripts).
// Without it a visitor's page load skips the refresh call, which could only answer 401.
const HINT = 'ordo.session.v1';
function setHint(on: boolean): void {
  try {
    if (on) localStorage.setItem(HINT, '1');
    else localStorage.removeItem(HINT);
  } catch {
    // Storage unavailable: the session still works on this page.
  }
}
function hasHint(): boolean {
  try {
    return localStorage.getItem(HINT) === '1';
  } catch {
    return true;
  }
}
let state: SessionState = { status: 'restoring', user: undefined };
const listeners = new Set<() => void>();

function setState(next: SessionState): void {
  state = next;
  for (const listener of listeners) listener();
}

export function getAccessToken(): string | undefined {
  return accessToken;
}

export function getSession(): SessionState {
  return state;
}

export function subscribeSession(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The session, re-rendering when it changes. */
export function useSession(): SessionState {
  return useSyncExternalStore(subscribeSession, getSession);
}

interface TokenPair {
  accessToken: string;
  user: User;
}

function signIn(pair: TokenPair): void {
  accessToken = pair.accessToken;
  setHint(true);
  setState({ status: 'signed-in', user: pair.user });
}

export function signOutLocally(): void {
  accessToken = undefined;
  setHint(false);
  setState({ status: 'signed-out', user: undefined });
}

async function readProblem(response: Response): Promise<ProblemError> {
  const body: unknown = await response.json().catch(() => undefined);
  return new ProblemError(
    isProblem(body)
      ? body
      : { title: response.statusText, status: response.status, code: 'UNKNOWN' },
  );
}

async function postJson(path: string, body: unknown): Promise<Response> {
  // Plain fetch, not the typed client: these calls must not go through the 401 retry.
  return fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    credentials: 'same-origin',
  });
}

let refreshing: Promise<boolean> | undefined;

/**
 * Trades the refresh cookie for a new access token. Concurrent callers share one request, so a
 * burst of expired calls refreshes once. Resolves false when there is no session to restore.
 */
export function refreshSession(): Promise<boolean> {
  refreshing ??= (async () => {
    try {
      const response = await postJson('/api/v1/auth/refresh', {});
      if (!response.ok) {
        signOutLocally();
        return false;
      }
      signIn((await response.json()) as TokenPair);
      return true;
    } catch {
      // Offline: keep what we know; a later call will try again.
      if (state.status === 'restoring') setState({ status: 'signed-out', user: undefined });
      return false;
    } finally {
      refreshing = undefined;
    }
  })();
  return refreshing;
}

/** Called once per page load. */
export async function restoreSession(): Promise<boolean> {
  if (!hasHint()) {
    setState({ status: 'signed-out', user: undefined });
    return false;
  }
  return refreshSession();
}

export async function logIn(email: string, password: string): Promise<User> {
  const response = await postJson('/api/v1/auth/login', { email, password });
  if (!response.ok) throw await readProblem(response);
  const pair = (await response.json()) as TokenPair;
  signIn(pair);
  return pair.user;
}

export async function logOut(): Promise<void> {
  try {
    await postJson('/api/v1/auth/logout', {});
  } finally {
    signOutLocally();
  }
}

/** Updates the signed-in user (after GET /me), keeping the token. */
export function updateUser(user: User): void {
  if (state.status === 'signed-in') setState({ status: 'signed-in', user });
}

export function isStaff(user: User | undefined): boolean {
  return user?.role === 'staff' || user?.role === 'admin';
}
