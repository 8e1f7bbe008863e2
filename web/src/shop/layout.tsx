import { Link, Outlet, useNavigate } from '@tanstack/react-router';
import { isStaff, logOut, useSession } from '../api/session';
import { cn } from '../ui';
import { itemCount } from './cart/cart';
import { useCart } from './cart/cart-store';

// Narrow enough that a signed-in customer's links fit one line on a 360 px phone: a second line
// appeared once the session was restored and pushed the page down (Lighthouse's layout shift).
const navLink =
  'shrink-0 rounded-md px-1.5 py-2 text-sm font-medium text-slate-700 hover:bg-slate-100 hover:text-slate-900 aria-[current=page]:text-indigo-700 sm:px-3';

/** The storefront's frame: header with shop, cart and account links, then the page. */
export function ShopLayout() {
  const session = useSession();
  const cart = useCart();
  const count = itemCount(cart);
  const navigate = useNavigate();

  return (
    <div className="flex min-h-screen flex-col">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2"
      >
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl items-center justify-between gap-2 px-4 py-3">
          <Link
            to="/"
            className="flex shrink-0 items-center gap-2 text-lg font-bold text-indigo-700"
          >
            <span
              aria-hidden="true"
              className="inline-flex h-7 w-7 items-center justify-center rounded-md bg-indigo-600 text-sm text-white"
            >
              O
            </span>
            <span className="sr-only sm:not-sr-only">Ordo</span>
          </Link>
          {/* As tall before the session is known as after, so the page below never moves; a
              staff member's extra link scrolls sideways rather than wrapping. */}
          <nav
            aria-label="Main"
            className="flex min-h-9 min-w-0 items-center gap-0.5 overflow-x-auto sm:gap-1"
          >
            <Link
              to="/"
              className={cn(navLink, 'hidden sm:inline-flex')}
              activeOptions={{ exact: true }}
            >
              Shop
            </Link>
            <Link to="/cart" className={cn(navLink, 'relative')}>
              Cart
              {count > 0 && (
                <span className="ml-1 rounded-full bg-indigo-600 px-1.5 py-0.5 text-xs text-white">
                  <span className="sr-only">, </span>
                  {count}
                  <span className="sr-only"> items</span>
                </span>
              )}
            </Link>
            {session.status === 'signed-in' ? (
              <>
                <Link to="/account/orders" className={navLink}>
                  Orders
                </Link>
                <Link to="/account" className={navLink} activeOptions={{ exact: true }}>
                  Account
                </Link>
                {isStaff(session.user) && (
                  <Link to="/admin" reloadDocument className={navLink}>
                    Back office
                  </Link>
                )}
                <button
                  type="button"
                  className={navLink}
                  onClick={() => void logOut().then(() => navigate({ to: '/' }))}
                >
                  Log out
                </button>
              </>
            ) : session.status === 'signed-out' ? (
              <>
                <Link to="/login" className={navLink}>
                  Log in
                </Link>
                <Link to="/register" className={navLink}>
                  Register
                </Link>
              </>
            ) : null}
          </nav>
        </div>
      </header>
      <main id="main" className="mx-auto w-full max-w-6xl flex-1 px-4 py-6 sm:py-8">
        <Outlet />
      </main>
      <footer className="border-t border-slate-200 bg-white">
        <div className="mx-auto max-w-6xl px-4 py-4 text-xs text-slate-500">
          Ordo · prices include no tax ·{' '}
          <a className="underline" href="/docs">
            API documentation
          </a>
        </div>
      </footer>
    </div>
  );
}
