import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { $api } from '../../../api/client';
import { useArchiveProduct } from '../../../api/hooks/products';
import { Badge, Button, buttonClass, Card, Loading, Page, ProblemAlert } from '../../../ui';
import { AdminProblem } from '../../admin-ui';
import { useShopCurrency } from '../../use-shop-currency';
import { AddOptionValue } from './add-option-value';
import { NewProductForm } from './new-product-form';
import { ProductCategories } from './product-categories';
import { ProductForm } from './product-form';
import { ProductImages } from './product-images';
import { StockAdjustment } from './stock-adjustment';
import { StockMovements } from './stock-movements';
import { VariantStock } from './variant-stock';
import { VariantsTable } from './variants-table';

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
          <NewProductForm
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

/**
 * One product: its fields, images, categories, stock adjustments and the stock ledger; for a
 * product with options, its variants too, each with its own stock and ledger.
 */
export function ProductPage() {
  const { productId } = productRoute.useParams();
  const { variant: variantId } = productRoute.useSearch();
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
  const withOptions = p.options.length > 0;
  const openVariant = withOptions ? p.variants.find((v) => v.id === variantId) : undefined;

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
            <ProductForm key={p.id} product={p} />
          </Card>
          <Card title="Images">
            <ProductImages product={p} />
          </Card>
        </div>
        <div className="min-w-0 space-y-6">
          <Card title="Stock">
            {withOptions ? (
              <p className="text-sm text-slate-700">
                On hand: <span className="text-2xl font-semibold tabular-nums">{p.stock}</span>{' '}
                across {p.variants.length} variants. Adjust a variant’s stock from its row in
                Variants.
              </p>
            ) : (
              <StockAdjustment target={{ productId: p.id }} onHand={p.stock} />
            )}
          </Card>
          <Card title="Categories">
            <ProductCategories key={p.id} product={p} />
          </Card>
        </div>
      </div>
      {withOptions && (
        <Card title="Variants">
          <VariantsTable product={p} selectedId={openVariant?.id} />
          <div className="mt-6 border-t border-slate-200 pt-4">
            <h3 className="mb-3 text-base font-semibold text-slate-900">Add a value</h3>
            <AddOptionValue key={p.id} product={p} />
          </div>
        </Card>
      )}
      {openVariant ? (
        <VariantStock variant={openVariant} />
      ) : (
        <Card title="Stock movements">
          <StockMovements product={p} />
        </Card>
      )}
    </Page>
  );
}
