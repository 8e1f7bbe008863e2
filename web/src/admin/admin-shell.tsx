import { Link, Outlet, useLocation } from '@tanstack/react-router';
import { isStaff, logOut, useSession } from '../api/session';
import { Alert, Badge, Button, buttonClass, Loading } from '../ui';
import { roleLabels } from './labels';
import { navFor, navItems } from './nav';

/** The nav item a path belongs to (the longest matching prefix), for the role check. */
function areaOf(pathname: string) {
  const path = pathname.replace(/\/+$/, '') || '/admin';
  return [...navItems]
    .sort((a, b) => b.to.length - a.to.length)
    .find((item) => path === item.to || path.startsWith(`${item.to}/`));
}

/**
 * The back office's frame. Staff and admins only: a customer or a visitor sees a clear refusal
 * and nothing else (the API refuses them too; this only keeps the screen honest).
 */
export function AdminShell() {
  const session = useSession();
  const location = useLocation();

  if (session.status === 'restoring') return <Loading label="Checking your session…" />;
  if (session.status === 'signed-out') {
    return (
      <Refusal title="Log in to use the back office">
        <Link to="/login" search={{ redirect: location.href }} className={buttonClass('primary')}>
          Log in
        </Link>
      </Refusal>
    );
  }
  if (!isStaff(session.user)) {
    return (
      <Refusal title="You do not have access to the back office">
        <p className="text-sm">
          You are logged in as {session.user?.email}, a customer account. The back office is for the
          shop&apos;s staff.
        </p>
        <div className="flex flex-wrap gap-2">
          <Link to="/" className={buttonClass('secondary')}>
            Go to the shop
          </Link>
          <Button variant="secondary" onClick={() => void logOut()}>
            Log out
          </Button>
        </div>
      </Refusal>
    );
  }

  const role = session.user?.role;
  const items = navFor(role);
  const area = areaOf(location.pathname);
  const allowed = !area || items.some((item) => item.to === area.to);

  return (
    <div className="min-h-screen bg-slate-100 lg:grid lg:grid-cols-[14rem_1fr]">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-slate-900"
      >
        Skip to content
      </a>
      <aside className="bg-slate-900 text-slate-100 lg:min-h-screen">
        <div className="flex items-center justify-between px-4 py-4">
          <Link to="/admin" className="font-semibold">
            Ordo back office
          </Link>
        </div>
        <nav
          aria-label="Back office"
          className="flex flex-wrap gap-1 px-2 pb-3 lg:flex-col lg:flex-nowrap"
        >
          {items.map((item) => (
            <Link
              key={item.to}
              to={item.to}
              activeOptions={{ exact: item.to === '/admin' }}
              className="whitespace-nowrap rounded-md px-3 py-2 text-sm hover:bg-slate-800 data-[status=active]:bg-slate-700"
            >
              {item.label}
            </Link>
          ))}
          <Link
            to="/"
            className="whitespace-nowrap rounded-md px-3 py-2 text-sm text-slate-300 hover:bg-slate-800"
          >
            View the shop
          </Link>
        </nav>
      </aside>
      <div className="min-w-0">
        <header className="flex items-center justify-end gap-3 border-b border-slate-200 bg-white px-4 py-2 text-sm">
          {role && (
            <span className="shrink-0">
              <Badge tone="info">{roleLabels[role]}</Badge>
            </span>
          )}
          <span className="min-w-0 truncate text-slate-600" title={session.user?.email}>
            {session.user?.email}
          </span>
          <Button
            variant="ghost"
            className="shrink-0 whitespace-nowrap"
            onClick={() => void logOut()}
          >
            Log out
          </Button>
        </header>
        <main id="main" className="p-4 sm:p-6">
          {allowed ? (
            <Outlet />
          ) : (
            <div className="mx-auto max-w-lg space-y-4">
              <h1 className="text-2xl font-semibold tracking-tight text-slate-900">
                {area?.label} is for admins
              </h1>
              <Alert tone="warning">
                <p>
                  Your account has the {role} role, which cannot use this area. Ask an admin if you
                  need access.
                </p>
              </Alert>
              <Link to="/admin" className={buttonClass('secondary')}>
                Go to the dashboard
              </Link>
            </div>
          )}
        </main>
      </div>
    </div>
  );
}

function Refusal({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <main id="main" className="mx-auto max-w-lg space-y-4 p-6">
      <p className="text-sm font-semibold text-slate-500">Ordo back office</p>
      <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
      <Alert tone="warning">
        <div className="space-y-3">{children}</div>
      </Alert>
    </main>
  );
}
