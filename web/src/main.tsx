import { QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { queryClient } from './api/client';
import { getSession, restoreSession, subscribeSession } from './api/session';
import { router } from './router';
import './styles.css';

// Styles injected at run time (radix-ui's scroll lock in dialogs) carry the page's CSP nonce,
// which the server writes into the page; react-style-singleton reads it from this global.
const nonce = document.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content;
if (nonce && !nonce.startsWith('__')) {
  (globalThis as { __webpack_nonce__?: string }).__webpack_nonce__ = nonce;
}

// The pages' CSP allows no eval: without this, zod's first object parse probes `new Function`,
// and the browser reports the refused (and caught) attempt as a CSP violation. Zod keeps its
// settings in this global, so this is z.config({ jitless: true }) without putting zod into the
// first bundle (it loads with the forms), whichever of the two runs first.
const zodSettings = globalThis as { __zod_globalConfig?: Record<string, unknown> };
zodSettings.__zod_globalConfig = Object.assign(zodSettings.__zod_globalConfig ?? {}, {
  jitless: true,
});

// The session is restored from the refresh cookie while the first page renders; pages that
// need it wait on useSession().status.
void restoreSession();
// A different person (or nobody) now: nothing cached for the previous one may show, nor a
// visitor's answers once they sign in (a quote refused to a guest). The first restore of the
// session changes nobody.
let lastUser: string | undefined;
let restored = false;
subscribeSession(() => {
  const { status, user } = getSession();
  if (user?.id !== lastUser) {
    if (restored) queryClient.clear();
    lastUser = user?.id;
  }
  if (status !== 'restoring') restored = true;
});

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
