import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { $api } from '../../../api/client';
import { useArchiveProduct } from '../../../api/hooks/products';
import { Badge, Button, buttonClass, Card, Loading, Page, ProblemAlert } from '../../../ui';
import { AdminProblem } from '../../admin-ui';
import { useShopCurrency } from '../../use-shop-currency';
import { ProductCategories } from './product-categories';
import { ProductForm } from './product-form';
import { ProductImages } from './product-images';
import { StockAdjustment } from './stock-adjustment';
import { StockMovements } from './stock-movements';

const productRoute = getRouteApi('/admin/products/$productId');

export function NewProductPage() {
  // The shop's currency, for a new product's price (an existing one carries its own).
  const currency = useShopCurrency();
  const navigate = useNavigate();
  return (
    <Page title="New product">
      <Link to="/admin/products" className="text-sm text-indigo-700 hover:underline">
        ← All products
      </Link>
      <Card>
        {currency ? (
          <ProductForm
            currency={currency}
            onCreated={(product) =>
              void navigate({
                to: '/admin/products/$productId',
                params: { productId: product.id },
              })
            }
          />
        ) : (
          <Loading />
        )}
      </Card>
    </Page>
  );
}

/** One product: its fields, images, stock adjustments and the stock ledger. */
export function ProductPage() {
  const { productId } = productRoute.useParams();
  const product = $api.useQuery('get', '/api/v1/admin/products/{id}', {
    params: { path: { id: productId } },
  });
  const archive = useArchiveProduct();

  if (product.isPending) return <Loading label="Loading the product…" />;
  if (product.isError) {
    return (
      <Page title="Product">
        <AdminProblem error={product.error} title="The product could not be loaded" />
        <Link to="/admin/products" className={buttonClass('secondary')}>
          Back to products
        </Link>
      </Page>
    );
  }
  const p = product.data;
  const archived = p.archivedAt !== null;

  return (
    <Page
      documentTitle={p.name}
      title={
        <span className="flex flex-wrap items-center gap-3">
          {p.name}
          {archived ? (
            <Badge>Archived</Badge>
          ) : p.active ? (
            <Badge tone="success">Active</Badge>
          ) : (
            <Badge tone="warning">Inactive</Badge>
          )}
        </span>
      }
      actions={
        <>
          {!archived && (
            <Link
              to="/products/$productId"
              params={{ productId: p.id }}
              className={buttonClass('secondary')}
            >
              View in the shop
            </Link>
          )}
          <Button
            variant={archived ? 'secondary' : 'danger'}
            busy={archive.isPending}
            onClick={() => archive.mutate({ id: p.id, archive: !archived })}
          >
            {archived ? 'Restore product' : 'Archive product'}
          </Button>
        </>
      }
    >
      <Link to="/admin/products" className="text-sm text-indigo-700 hover:underline">
        ← All products
      </Link>
      {archive.isError && <ProblemAlert error={archive.error} />}
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="min-w-0 space-y-6 lg:col-span-2">
          <Card title="Details">
            <ProductForm key={p.id} product={p} currency={p.currency} />
          </Card>
          <Card title="Images">
            <ProductImages product={p} />
          </Card>
        </div>
        <div className="min-w-0 space-y-6">
          <Card title="Stock">
            <StockAdjustment product={p} />
          </Card>
          <Card title="Categories">
            <ProductCategories key={p.id} product={p} />
          </Card>
        </div>
      </div>
      <Card title="Stock movements">
        <StockMovements productId={p.id} />
      </Card>
    </Page>
  );
}
