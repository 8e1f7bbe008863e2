import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { $api } from '../../../api/client';
import { useDeletePromoCode, useUpdatePromoCode } from '../../../api/hooks/promo-codes';
import { Badge, Button, buttonClass, Card, Loading, Page, ProblemAlert } from '../../../ui';
import { AdminProblem } from '../../admin-ui';
import { useShopCurrency } from '../../use-shop-currency';
import { describePromo } from '../promo-describe';
import { PromoCodeForm } from './promo-code-form';
import { Redemptions } from './redemptions';

const route = getRouteApi('/admin/promo-codes/$promoId');

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
          <PromoCodeForm
            currency={currency}
            onCreated={(promo) =>
              void navigate({ to: '/admin/promo-codes/$promoId', params: { promoId: promo.id } })
            }
          />
        ) : (
          <Loading />
        )}
      </Card>
    </Page>
  );
}

/** One promo code: its settings, activate or deactivate, delete while unused, its redemptions. */
export function PromoCodePage() {
  const { promoId } = route.useParams();
  const navigate = useNavigate();
  const currency = useShopCurrency();
  const promo = $api.useQuery('get', '/api/v1/admin/promo-codes/{id}', {
    params: { path: { id: promoId } },
  });
  const update = useUpdatePromoCode();
  const remove = useDeletePromoCode();

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
  const busy = update.isPending || remove.isPending;
  const error = update.error ?? remove.error;

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
            onClick={() => {
              remove.reset();
              update.mutate({ id: p.id, changes: { active: !p.active } });
            }}
          >
            {p.active ? 'Deactivate' : 'Activate'}
          </Button>
          {p.timesUsed === 0 && (
            <Button
              variant="danger"
              busy={busy}
              onClick={() => {
                update.reset();
                remove.mutate(p.id, {
                  onSuccess: () => void navigate({ to: '/admin/promo-codes' }),
                });
              }}
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
      {error && <ProblemAlert error={error} />}
      <p className="text-sm text-slate-700">
        {describePromo(p, currency)} · used {p.timesUsed}
        {p.usageLimit !== null ? ` of ${p.usageLimit}` : ''} times
      </p>
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Settings" className="min-w-0">
          <PromoCodeForm key={p.id} promo={p} currency={currency} />
        </Card>
        <Card title="Redemptions" className="min-w-0">
          <Redemptions promoId={p.id} currency={currency} />
        </Card>
      </div>
    </Page>
  );
}
