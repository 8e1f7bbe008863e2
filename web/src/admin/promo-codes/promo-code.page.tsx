import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { $api, api, invalidate, queryClient } from '../../api/client';
import {
  Alert,
  Badge,
  Button,
  buttonClass,
  Card,
  Field,
  formatDateTime,
  Input,
  Loading,
  Money,
  Page,
  ProblemAlert,
  Select,
  Table,
  TBody,
  Td,
  Th,
  THead,
  Tr,
} from '../../ui';
import { AdminProblem, Pager } from '../admin-ui';
import { describePromo } from './promo-describe';
import {
  emptyPromoForm,
  formToPromoBody,
  promoToForm,
  type PromoCode,
  type PromoFormErrors,
  type PromoFormValues,
} from './promo-form';

const route = getRouteApi('/admin/promo-codes/$promoId');
const REDEMPTIONS_PAGE_SIZE = 20;

async function refreshAfterPromoChange(promo: PromoCode) {
  const byId = { params: { path: { id: promo.id } } };
  queryClient.setQueryData(['get', '/api/v1/admin/promo-codes/{id}', byId], promo);
  await Promise.all([
    queryClient.invalidateQueries({ queryKey: ['get', '/api/v1/admin/promo-codes/{id}', byId] }),
    invalidate('/api/v1/admin/promo-codes'),
  ]);
}

function useShopCurrency(): string | undefined {
  return $api.useQuery('get', '/api/v1/admin/stats').data?.currency;
}

function PromoForm({
  promo,
  currency,
  onSaved,
}: {
  promo?: PromoCode;
  currency: string;
  onSaved: (promo: PromoCode) => Promise<void>;
}) {
  const [values, setValues] = useState<PromoFormValues>(
    promo ? promoToForm(promo, currency) : emptyPromoForm,
  );
  const [errors, setErrors] = useState<PromoFormErrors>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const set = <K extends keyof PromoFormValues>(key: K, value: PromoFormValues[K]) => {
    setSaved(false);
    setValues((v) => ({ ...v, [key]: value }));
  };
  const text = (key: Exclude<keyof PromoFormValues, 'active' | 'type'>) => ({
    value: values[key],
    onChange: (e: React.ChangeEvent<HTMLInputElement>) => set(key, e.target.value),
  });

  const submit = async () => {
    setError(undefined);
    const result = formToPromoBody(values, currency);
    if (!result.ok) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const { data } = promo
        ? await api.PATCH('/api/v1/admin/promo-codes/{id}', {
            params: { path: { id: promo.id } },
            body: result.body,
          })
        : await api.POST('/api/v1/admin/promo-codes', { body: result.body });
      if (data) {
        setSaved(true);
        await onSaved(data);
      }
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="space-y-4"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      {error !== undefined && <ProblemAlert error={error} title="The promo code was not saved" />}
      {saved && <Alert tone="success">Saved.</Alert>}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Code" hint="Customers type it in any case" error={errors.code}>
          {(props) => <Input {...props} {...text('code')} />}
        </Field>
        <Field label="Kind">
          {(props) => (
            <Select
              {...props}
              value={values.type}
              onChange={(e) => set('type', e.target.value as PromoFormValues['type'])}
            >
              <option value="percentage">Percentage off</option>
              <option value="fixed">Fixed amount off</option>
            </Select>
          )}
        </Field>
        {values.type === 'percentage' ? (
          <>
            <Field
              label="Percent off"
              hint="Up to two decimals, e.g. 12.5"
              error={errors.percentOff}
            >
              {(props) => <Input {...props} inputMode="decimal" {...text('percentOff')} />}
            </Field>
            <Field label={`Largest discount (${currency}, optional)`} error={errors.maxDiscount}>
              {(props) => <Input {...props} inputMode="decimal" {...text('maxDiscount')} />}
            </Field>
          </>
        ) : (
          <Field label={`Amount off (${currency})`} error={errors.amountOff}>
            {(props) => <Input {...props} inputMode="decimal" {...text('amountOff')} />}
          </Field>
        )}
        <Field label={`Minimum subtotal (${currency}, optional)`} error={errors.minSubtotal}>
          {(props) => <Input {...props} inputMode="decimal" {...text('minSubtotal')} />}
        </Field>
        <Field label="Starts (UTC, optional)" error={errors.startsAt}>
          {(props) => <Input {...props} type="datetime-local" {...text('startsAt')} />}
        </Field>
        <Field
          label="Ends (UTC, optional)"
          hint="The code stops working at this time"
          error={errors.endsAt}
        >
          {(props) => <Input {...props} type="datetime-local" {...text('endsAt')} />}
        </Field>
        <Field label="Total uses (optional)" error={errors.usageLimit}>
          {(props) => <Input {...props} inputMode="numeric" {...text('usageLimit')} />}
        </Field>
        <Field label="Uses per customer (optional)" error={errors.perCustomerLimit}>
          {(props) => <Input {...props} inputMode="numeric" {...text('perCustomerLimit')} />}
        </Field>
      </div>
      <label className="flex items-center gap-2 text-sm text-slate-700">
        <input
          type="checkbox"
          className="h-4 w-4"
          checked={values.active}
          onChange={(e) => set('active', e.target.checked)}
        />
        Active
      </label>
      <Button type="submit" busy={busy}>
        {promo ? 'Save' : 'Create promo code'}
      </Button>
    </form>
  );
}

export function NewPromoCodePage() {
  const currency = useShopCurrency();
  const navigate = useNavigate();
  return (
    <Page title="New promo code">
      <Link to="/admin/promo-codes" className="text-sm text-indigo-700 hover:underline">
        ← All promo codes
      </Link>
      <Card>
        {currency ? (
          <PromoForm
            currency={currency}
            onSaved={async (promo) => {
              await refreshAfterPromoChange(promo);
              await navigate({ to: '/admin/promo-codes/$promoId', params: { promoId: promo.id } });
            }}
          />
        ) : (
          <Loading />
        )}
      </Card>
    </Page>
  );
}

export function PromoCodePage() {
  const { promoId } = route.useParams();
  const navigate = useNavigate();
  const currency = useShopCurrency();
  const promo = $api.useQuery('get', '/api/v1/admin/promo-codes/{id}', {
    params: { path: { id: promoId } },
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  if (promo.isPending || !currency) return <Loading label="Loading the promo code…" />;
  if (promo.isError) {
    return (
      <Page title="Promo code">
        <AdminProblem error={promo.error} title="The promo code could not be loaded" />
        <Link to="/admin/promo-codes" className={buttonClass('secondary')}>
          Back to promo codes
        </Link>
      </Page>
    );
  }
  const p = promo.data;
  const run = async (change: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await change();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page
      documentTitle={`Promo code ${p.code}`}
      title={
        <span className="flex flex-wrap items-center gap-3">
          <span className="font-mono">{p.code}</span>
          {p.active ? <Badge tone="success">Active</Badge> : <Badge>Inactive</Badge>}
        </span>
      }
      actions={
        <>
          <Button
            variant="secondary"
            busy={busy}
            onClick={() =>
              void run(async () => {
                const { data } = await api.PATCH('/api/v1/admin/promo-codes/{id}', {
                  params: { path: { id: p.id } },
                  body: { active: !p.active },
                });
                if (data) await refreshAfterPromoChange(data);
              })
            }
          >
            {p.active ? 'Deactivate' : 'Activate'}
          </Button>
          {p.timesUsed === 0 && (
            <Button
              variant="danger"
              busy={busy}
              onClick={() =>
                void run(async () => {
                  await api.DELETE('/api/v1/admin/promo-codes/{id}', {
                    params: { path: { id: p.id } },
                  });
                  queryClient.removeQueries({
                    queryKey: [
                      'get',
                      '/api/v1/admin/promo-codes/{id}',
                      { params: { path: { id: p.id } } },
                    ],
                  });
                  await invalidate('/api/v1/admin/promo-codes');
                  await navigate({ to: '/admin/promo-codes' });
                })
              }
            >
              Delete promo code
            </Button>
          )}
        </>
      }
    >
      <Link to="/admin/promo-codes" className="text-sm text-indigo-700 hover:underline">
        ← All promo codes
      </Link>
      {error !== undefined && <ProblemAlert error={error} />}
      <p className="text-sm text-slate-700">
        {describePromo(p, currency)} · used {p.timesUsed}
        {p.usageLimit !== null ? ` of ${p.usageLimit}` : ''} times
      </p>
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Settings" className="min-w-0">
          <PromoForm
            key={p.updatedAt}
            promo={p}
            currency={currency}
            onSaved={refreshAfterPromoChange}
          />
        </Card>
        <Card title="Redemptions" className="min-w-0">
          <Redemptions promoId={p.id} currency={currency} />
        </Card>
      </div>
    </Page>
  );
}

function Redemptions({ promoId, currency }: { promoId: string; currency: string }) {
  const { page = 1 } = route.useSearch();
  const navigate = route.useNavigate();
  const redemptions = $api.useQuery('get', '/api/v1/admin/promo-codes/{id}/redemptions', {
    params: { path: { id: promoId }, query: { page, pageSize: REDEMPTIONS_PAGE_SIZE } },
  });
  if (redemptions.isPending) return <Loading label="Loading redemptions…" />;
  if (redemptions.isError) {
    return <AdminProblem error={redemptions.error} title="Redemptions could not be loaded" />;
  }
  if (redemptions.data.items.length === 0) {
    return <p className="text-sm text-slate-600">No order has used this code yet.</p>;
  }
  return (
    <div className="space-y-3">
      <Table>
        <caption className="sr-only">Orders that used this code</caption>
        <THead>
          <tr>
            <Th>Order</Th>
            <Th>When</Th>
            <Th className="text-right">Discount</Th>
            <Th>State</Th>
          </tr>
        </THead>
        <TBody>
          {redemptions.data.items.map((r) => (
            <Tr key={r.orderId}>
              <Td>
                <Link
                  to="/admin/orders/$orderId"
                  params={{ orderId: r.orderId }}
                  className="text-indigo-700 hover:underline"
                >
                  View the order
                </Link>
              </Td>
              <Td className="whitespace-nowrap">{formatDateTime(r.redeemedAt)}</Td>
              <Td className="text-right">
                <Money amount={r.discount} currency={currency} />
              </Td>
              <Td>
                {r.releasedAt ? (
                  `Released ${formatDateTime(r.releasedAt)}`
                ) : (
                  <Badge tone="success">Counted</Badge>
                )}
              </Td>
            </Tr>
          ))}
        </TBody>
      </Table>
      <Pager
        page={page}
        pageSize={REDEMPTIONS_PAGE_SIZE}
        total={redemptions.data.total}
        noun="redemptions"
        onPage={(next) => void navigate({ search: { page: next }, resetScroll: false })}
      />
    </div>
  );
}
