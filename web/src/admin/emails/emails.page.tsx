import { keepPreviousData } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useState } from 'react';
import { $api } from '../../api/client';
import type { components } from '../../api/schema.gen';
import { Badge, Button, cn, Field, formatDateTime, Input, Loading, Page } from '../../ui';
import { AdminProblem, FilterBar, formText, Pager } from '../admin-ui';
import { NothingHere } from '../data-table';
import { emailKindLabels } from '../labels';
import { emailSrcDoc, pageStyleNonce } from './email-view';

type Email = components['schemas']['Email'];
const PAGE_SIZE = 20;
const route = getRouteApi('/admin/emails');

/**
 * The mail Ordo sent (or, on the embedded default, captured instead of sending): a list, and
 * the chosen email readable beside it. On the embedded default this is where a person reads
 * the verification, password reset and order emails.
 */
export function EmailsPage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const emails = $api.useQuery(
    'get',
    '/api/v1/admin/emails',
    {
      params: {
        query: {
          page: search.page ?? 1,
          pageSize: PAGE_SIZE,
          ...(search.to ? { to: search.to } : {}),
          ...(search.orderId ? { orderId: search.orderId } : {}),
        },
      },
    },
    { placeholderData: keepPreviousData, refetchInterval: 5_000 },
  );
  const items = emails.data?.items ?? [];
  const open = items.find((e) => e.id === search.id) ?? (search.id ? undefined : items[0]);

  return (
    <Page title="Emails">
      <FilterBar
        key={`${search.to ?? ''}|${search.orderId ?? ''}`}
        label="Filter emails"
        onSubmit={(form) =>
          void navigate({ search: { to: formText(form, 'to'), orderId: search.orderId } })
        }
        onReset={search.to || search.orderId ? () => void navigate({ search: {} }) : undefined}
      >
        <Field label="Recipient" className="w-full sm:w-72">
          {(props) => <Input {...props} name="to" type="search" defaultValue={search.to ?? ''} />}
        </Field>
        {search.orderId && (
          <p className="pb-2 text-sm text-slate-600">
            About one order ·{' '}
            <Link
              to="/admin/orders/$orderId"
              params={{ orderId: search.orderId }}
              className="text-indigo-700 hover:underline"
            >
              View the order
            </Link>
          </p>
        )}
      </FilterBar>
      {emails.isPending ? (
        <Loading label="Loading emails…" />
      ) : emails.isError ? (
        <AdminProblem error={emails.error} title="The emails could not be loaded" />
      ) : items.length === 0 ? (
        <NothingHere title="No emails">
          {search.to || search.orderId ? 'None match these filters.' : 'Ordo has not sent any yet.'}
        </NothingHere>
      ) : (
        <div className="grid gap-4 lg:grid-cols-[22rem_1fr]">
          <div className="min-w-0 space-y-3">
            <ul
              aria-label="Emails, newest first"
              className="divide-y divide-slate-100 overflow-hidden rounded-lg border border-slate-200 bg-white"
            >
              {items.map((email) => (
                <li key={email.id}>
                  <Link
                    to="/admin/emails"
                    search={{ ...search, id: email.id }}
                    resetScroll={false}
                    aria-current={open?.id === email.id ? 'true' : undefined}
                    className={cn(
                      'block border-l-4 px-4 py-3 text-sm',
                      open?.id === email.id
                        ? 'border-indigo-600 bg-indigo-50'
                        : 'border-transparent hover:bg-slate-50',
                    )}
                  >
                    <span className="block font-medium text-slate-900">{email.subject}</span>
                    <span className="block text-slate-600">To {email.to}</span>
                    <span className="mt-1 flex flex-wrap items-center gap-2 text-xs text-slate-600">
                      <Badge>{emailKindLabels[email.kind]}</Badge>
                      {formatDateTime(email.sentAt)}
                    </span>
                  </Link>
                </li>
              ))}
            </ul>
            <Pager
              page={search.page ?? 1}
              pageSize={PAGE_SIZE}
              total={emails.data.total}
              noun="emails"
              onPage={(page) => void navigate({ search: { ...search, id: undefined, page } })}
            />
          </div>
          {open ? (
            <EmailView key={open.id} email={open} />
          ) : (
            <NothingHere title="That email is not on this page">
              Choose one from the list.
            </NothingHere>
          )}
        </div>
      )}
    </Page>
  );
}

function EmailView({ email }: { email: Email }) {
  const [asText, setAsText] = useState(email.html.trim() === '');
  const [loaded, setLoaded] = useState(false);
  return (
    <article
      aria-label={`Email: ${email.subject}`}
      className="min-w-0 rounded-lg border border-slate-200 bg-white"
    >
      <header className="space-y-1 border-b border-slate-200 p-4 text-sm">
        <h2 className="text-lg font-semibold text-slate-900">{email.subject}</h2>
        <p className="text-slate-700">To: {email.to}</p>
        <p className="text-slate-600">
          {formatDateTime(email.sentAt)} ·{' '}
          {email.transport === 'captured'
            ? 'captured (not sent: no SMTP server set)'
            : 'sent by SMTP'}
        </p>
        <div className="flex flex-wrap gap-2 pt-1">
          {email.orderId && (
            <Link
              to="/admin/orders/$orderId"
              params={{ orderId: email.orderId }}
              className="text-indigo-700 hover:underline"
            >
              View the order
            </Link>
          )}
          {email.html.trim() !== '' && (
            <Button variant="ghost" className="px-2 py-1" onClick={() => setAsText((t) => !t)}>
              {asText ? 'Show as HTML' : 'Show as text'}
            </Button>
          )}
        </div>
      </header>
      {asText ? (
        <pre className="overflow-x-auto whitespace-pre-wrap break-words p-4 font-sans text-sm text-slate-800">
          {email.text}
        </pre>
      ) : (
        <iframe
          title={`Email: ${email.subject}`}
          sandbox="allow-popups allow-popups-to-escape-sandbox"
          srcDoc={emailSrcDoc(email.html, pageStyleNonce())}
          onLoad={() => setLoaded(true)}
          data-loaded={loaded || undefined}
          className="h-[36rem] w-full rounded-b-lg"
        />
      )}
    </article>
  );
}
