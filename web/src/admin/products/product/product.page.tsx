import { zodResolver } from '@hookform/resolvers/zod';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { $api, api, invalidate, queryClient, sessionFetch } from '../../api/client';
import { isProblem, toProblem } from '../../api/problem';
import type { components } from '../../api/schema.gen';
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
  Page,
  ProblemAlert,
  Table,
  TBody,
  Td,
  Textarea,
  Th,
  THead,
  Tr,
} from '../../ui';
import { AdminProblem, Pager } from '../admin-ui';
import { formatDelta, movementKindLabels } from '../labels';
import { minorToInput, parseMoneyInput } from '../money-input';
import { imageUploadMessage, MAX_IMAGE_BYTES, moveImage, parseStockDelta } from './product-logic';

type AdminProduct = components['schemas']['AdminProduct'];
const productRoute = getRouteApi('/admin/products/$productId');
const MOVEMENTS_PAGE_SIZE = 20;

/** After a product changed: its detail, the lists (admin and shop) and the dashboard's low stock. */
async function refreshAfterProductChange(product: AdminProduct, { stock = false } = {}) {
  const byId = { params: { path: { id: product.id } } };
  queryClient.setQueryData(['get', '/api/v1/admin/products/{id}', byId], product);
  await Promise.all([
    queryClient.invalidateQueries({ queryKey: ['get', '/api/v1/admin/products/{id}', byId] }),
    queryClient.invalidateQueries({ queryKey: ['get', '/api/v1/products/{id}', byId] }),
    stock
      ? queryClient.invalidateQueries({
          queryKey: ['get', '/api/v1/admin/products/{id}/stock-movements', byId],
        })
      : undefined,
    invalidate('/api/v1/admin/products', '/api/v1/products', '/api/v1/admin/stats'),
  ]);
}

function useShopCurrency(): string | undefined {
  // The shop's currency, for a new product's price (an existing one carries its own).
  return $api.useQuery('get', '/api/v1/admin/stats').data?.currency;
}

const productSchema = (currency: string, creating: boolean) =>
  z
    .object({
      sku: z.string().trim().min(1, 'Enter a SKU').max(64, 'At most 64 characters'),
      name: z.string().trim().min(1, 'Enter a name').max(200, 'At most 200 characters'),
      description: z.string().max(5000, 'At most 5000 characters'),
      price: z.string(),
      stock: z.string(),
      active: z.boolean(),
    })
    .superRefine((values, ctx) => {
      const price = parseMoneyInput(values.price, currency, { allowZero: true });
      if (!price.ok) ctx.addIssue({ code: 'custom', path: ['price'], message: price.message });
      if (creating && !/^\d{1,7}$/.test(values.stock.trim())) {
        ctx.addIssue({
          code: 'custom',
          path: ['stock'],
          message: 'Enter a whole number, 0 or more',
        });
      }
    });
type ProductFormValues = z.infer<ReturnType<typeof productSchema>>;

function ProductForm({
  product,
  currency,
  onSaved,
}: {
  product?: AdminProduct;
  currency: string;
  onSaved: (product: AdminProduct) => Promise<void> | void;
}) {
  const creating = product === undefined;
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  const form = useForm<ProductFormValues>({
    resolver: zodResolver(productSchema(currency, creating)),
    defaultValues: {
      sku: product?.sku ?? '',
      name: product?.name ?? '',
      description: product?.description ?? '',
      price: product ? minorToInput(product.price, currency) : '',
      stock: product ? String(product.stock) : '0',
      active: product?.active ?? true,
    },
  });
  const errors = form.formState.errors;
  const submit = form.handleSubmit(async (values) => {
    setError(undefined);
    setSaved(false);
    const price = parseMoneyInput(values.price, currency, { allowZero: true });
    if (!price.ok) return;
    const fields = {
      sku: values.sku.trim(),
      name: values.name.trim(),
      description: values.description,
      price: price.minor,
      active: values.active,
    };
    try {
      const { data } = product
        ? await api.PATCH('/api/v1/admin/products/{id}', {
            params: { path: { id: product.id } },
            body: fields,
          })
        : await api.POST('/api/v1/admin/products', {
            body: { ...fields, stock: Number(values.stock.trim()) },
          });
      if (data) {
        setSaved(true);
        form.reset(form.getValues());
        await onSaved(data);
      }
    } catch (caught) {
      setError(caught);
    }
  });

  return (
    <form onSubmit={(e) => void submit(e)} className="space-y-4" noValidate>
      {error !== undefined && <ProblemAlert error={error} title="The product was not saved" />}
      {saved && !form.formState.isDirty && <Alert tone="success">Saved.</Alert>}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Name" error={errors.name?.message}>
          {(props) => <Input {...props} {...form.register('name')} />}
        </Field>
        <Field label="SKU" error={errors.sku?.message}>
          {(props) => <Input {...props} {...form.register('sku')} />}
        </Field>
        <Field label={`Price (${currency})`} error={errors.price?.message} hint="For example 19.99">
          {(props) => <Input {...props} inputMode="decimal" {...form.register('price')} />}
        </Field>
        {creating && (
          <Field label="Stock" error={errors.stock?.message} hint="Units on hand to start with">
            {(props) => <Input {...props} inputMode="numeric" {...form.register('stock')} />}
          </Field>
        )}
      </div>
      <Field label="Description" error={errors.description?.message}>
        {(props) => <Textarea {...props} rows={4} {...form.register('description')} />}
      </Field>
      <label className="flex items-center gap-2 text-sm text-slate-700">
        <input type="checkbox" className="h-4 w-4" {...form.register('active')} />
        Active (listed in the shop)
      </label>
      <Button type="submit" busy={form.formState.isSubmitting}>
        {creating ? 'Create product' : 'Save'}
      </Button>
    </form>
  );
}

export function NewProductPage() {
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
            onSaved={async (product) => {
              await refreshAfterProductChange(product);
              await navigate({
                to: '/admin/products/$productId',
                params: { productId: product.id },
              });
            }}
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
  const [archiveError, setArchiveError] = useState<unknown>();
  const [archiving, setArchiving] = useState(false);

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

  const toggleArchive = async () => {
    setArchiving(true);
    setArchiveError(undefined);
    try {
      if (archived) {
        const { data } = await api.PATCH('/api/v1/admin/products/{id}', {
          params: { path: { id: p.id } },
          body: { active: true },
        });
        if (data) await refreshAfterProductChange(data);
      } else {
        await api.DELETE('/api/v1/admin/products/{id}', { params: { path: { id: p.id } } });
        await refreshAfterProductChange({ ...p, active: false });
      }
    } catch (caught) {
      setArchiveError(caught);
    } finally {
      setArchiving(false);
    }
  };

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
            busy={archiving}
            onClick={() => void toggleArchive()}
          >
            {archived ? 'Restore product' : 'Archive product'}
          </Button>
        </>
      }
    >
      <Link to="/admin/products" className="text-sm text-indigo-700 hover:underline">
        ← All products
      </Link>
      {archiveError !== undefined && <ProblemAlert error={archiveError} />}
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="min-w-0 space-y-6 lg:col-span-2">
          <Card title="Details">
            <ProductForm
              key={p.updatedAt}
              product={p}
              currency={p.currency}
              onSaved={(saved) => refreshAfterProductChange(saved)}
            />
          </Card>
          <Card title="Images">
            <ProductImages product={p} />
          </Card>
        </div>
        <div className="min-w-0 space-y-6">
          <Card title="Stock">
            <StockAdjustment product={p} />
          </Card>
        </div>
      </div>
      <Card title="Stock movements">
        <StockMovements productId={p.id} />
      </Card>
    </Page>
  );
}

function ProductImages({ product }: { product: AdminProduct }) {
  const [inputKey, setInputKey] = useState(0);
  const [file, setFile] = useState<File>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [uploaded, setUploaded] = useState(false);
  const images = [...product.images].sort((a, b) => a.position - b.position);

  const upload = async () => {
    setError(undefined);
    setUploaded(false);
    if (!file) {
      setError('Choose an image file first.');
      return;
    }
    if (file.size > MAX_IMAGE_BYTES) {
      setError(imageUploadMessage(413));
      return;
    }
    setBusy(true);
    try {
      const body = new FormData();
      body.append('file', file);
      const response = await sessionFetch(
        new Request(`/api/v1/admin/products/${encodeURIComponent(product.id)}/images`, {
          method: 'POST',
          body,
        }),
      );
      const json: unknown = await response.json().catch(() => undefined);
      if (!response.ok) {
        const detail = isProblem(json) ? json.detail : undefined;
        setError(imageUploadMessage(response.status, detail));
        return;
      }
      await refreshAfterProductChange(json as AdminProduct);
      setFile(undefined);
      setInputKey((k) => k + 1);
      setUploaded(true);
    } catch (caught) {
      setError(toProblem(caught).detail ?? 'The image could not be uploaded.');
    } finally {
      setBusy(false);
    }
  };

  const run = async (change: () => Promise<AdminProduct | undefined>) => {
    setError(undefined);
    setBusy(true);
    try {
      const next = await change();
      if (next) await refreshAfterProductChange(next);
    } catch (caught) {
      setError(toProblem(caught).detail ?? toProblem(caught).title);
    } finally {
      setBusy(false);
    }
  };
  const reorder = (ids: string[]) =>
    run(async () => {
      const { data } = await api.PUT('/api/v1/admin/products/{id}/images/order', {
        params: { path: { id: product.id } },
        body: { imageIds: ids },
      });
      return data;
    });
  const remove = (imageId: string) =>
    run(async () => {
      await api.DELETE('/api/v1/admin/products/{id}/images/{imageId}', {
        params: { path: { id: product.id, imageId } },
      });
      const { data } = await api.GET('/api/v1/admin/products/{id}', {
        params: { path: { id: product.id } },
      });
      return data;
    });
  const ids = images.map((image) => image.id);

  return (
    <div className="space-y-4">
      {images.length === 0 ? (
        <p className="text-sm text-slate-600">No images yet: the shop shows a placeholder.</p>
      ) : (
        <ol className="grid grid-cols-2 gap-3 sm:grid-cols-3" aria-label="Images in display order">
          {images.map((image, index) => (
            <li key={image.id} className="rounded-lg border border-slate-200 p-2">
              <img
                src={image.variants[0]?.url ?? image.url}
                alt={`Image ${index + 1} of ${product.name}`}
                className="aspect-square w-full rounded object-cover"
              />
              <p className="mt-1 text-xs text-slate-600">
                {index === 0 ? 'Main image' : `Image ${index + 1}`} · {image.width}×{image.height}
              </p>
              <div className="mt-2 flex flex-wrap gap-1">
                <Button
                  variant="ghost"
                  className="px-2 py-1"
                  disabled={busy || index === 0}
                  aria-label={`Move image ${index + 1} earlier`}
                  onClick={() => void reorder(moveImage(ids, image.id, -1))}
                >
                  ↑ Earlier
                </Button>
                <Button
                  variant="ghost"
                  className="px-2 py-1"
                  disabled={busy || index === images.length - 1}
                  aria-label={`Move image ${index + 1} later`}
                  onClick={() => void reorder(moveImage(ids, image.id, 1))}
                >
                  ↓ Later
                </Button>
                <Button
                  variant="ghost"
                  className="px-2 py-1 text-red-700"
                  disabled={busy}
                  aria-label={`Delete image ${index + 1}`}
                  onClick={() => void remove(image.id)}
                >
                  Delete
                </Button>
              </div>
            </li>
          ))}
        </ol>
      )}
      <form
        className="flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          void upload();
        }}
      >
        <Field label="Image file" hint="JPEG, PNG or WebP, at most 5 MB" className="min-w-0 flex-1">
          {(props) => (
            <Input
              {...props}
              key={inputKey}
              type="file"
              accept="image/jpeg,image/png,image/webp"
              onChange={(e) => {
                setFile(e.target.files?.[0]);
                setError(undefined);
                setUploaded(false);
              }}
            />
          )}
        </Field>
        <Button type="submit" busy={busy}>
          Upload image
        </Button>
      </form>
      {error && (
        <Alert tone="error" title="The image was not uploaded">
          {error}
        </Alert>
      )}
      {uploaded && <Alert tone="success">Image uploaded.</Alert>}
    </div>
  );
}

function StockAdjustment({ product }: { product: AdminProduct }) {
  const [delta, setDelta] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<{ delta?: string; reason?: string }>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string>();

  const submit = async () => {
    setError(undefined);
    setDone(undefined);
    const parsed = parseStockDelta(delta);
    const next: typeof errors = {};
    if (!parsed.ok) next.delta = parsed.message;
    if (reason.trim() === '') next.reason = 'Say why (a count, damage, a delivery…)';
    setErrors(next);
    if (!parsed.ok || next.reason) return;
    setBusy(true);
    try {
      const { data } = await api.POST('/api/v1/admin/products/{id}/stock-adjustments', {
        params: { path: { id: product.id } },
        body: { delta: parsed.delta, reason: reason.trim() },
      });
      if (data) {
        await refreshAfterProductChange({ ...product, stock: data.stockAfter }, { stock: true });
        setDone(`Stock is now ${data.stockAfter}.`);
        setDelta('');
        setReason('');
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
      <p className="text-sm text-slate-700">
        On hand: <span className="text-2xl font-semibold tabular-nums">{product.stock}</span>
      </p>
      <Field label="Change" hint="Positive adds units, negative removes them" error={errors.delta}>
        {(props) => (
          <Input
            {...props}
            inputMode="numeric"
            value={delta}
            onChange={(e) => setDelta(e.target.value)}
          />
        )}
      </Field>
      <Field label="Reason" error={errors.reason}>
        {(props) => <Input {...props} value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      {error !== undefined && <ProblemAlert error={error} title="Stock was not changed" />}
      {done && <Alert tone="success">{done}</Alert>}
      <Button type="submit" busy={busy}>
        Adjust stock
      </Button>
    </form>
  );
}

function StockMovements({ productId }: { productId: string }) {
  const { page = 1 } = productRoute.useSearch();
  const navigate = productRoute.useNavigate();
  const movements = $api.useQuery('get', '/api/v1/admin/products/{id}/stock-movements', {
    params: { path: { id: productId }, query: { page, pageSize: MOVEMENTS_PAGE_SIZE } },
  });
  if (movements.isPending) return <Loading label="Loading movements…" />;
  if (movements.isError) {
    return <AdminProblem error={movements.error} title="Movements could not be loaded" />;
  }
  if (movements.data.items.length === 0) {
    return <p className="text-sm text-slate-600">No stock movement yet.</p>;
  }
  return (
    <div className="space-y-3">
      <Table>
        <caption className="sr-only">Stock movements, newest first</caption>
        <THead>
          <tr>
            <Th>When</Th>
            <Th>Kind</Th>
            <Th className="text-right">Change</Th>
            <Th className="text-right">Stock after</Th>
            <Th>Reason or order</Th>
            <Th>By</Th>
          </tr>
        </THead>
        <TBody>
          {movements.data.items.map((m) => (
            <Tr key={m.id}>
              <Td className="whitespace-nowrap">{formatDateTime(m.createdAt)}</Td>
              <Td>{movementKindLabels[m.kind]}</Td>
              <Td className="text-right tabular-nums">{formatDelta(m.delta)}</Td>
              <Td className="text-right tabular-nums">{m.stockAfter}</Td>
              <Td>
                {m.reason}
                {m.orderId && (
                  <Link
                    to="/admin/orders/$orderId"
                    params={{ orderId: m.orderId }}
                    className="block text-indigo-700 hover:underline"
                  >
                    View the order
                  </Link>
                )}
              </Td>
              <Td className="font-mono text-xs">{m.actorId ?? 'System'}</Td>
            </Tr>
          ))}
        </TBody>
      </Table>
      <Pager
        page={page}
        pageSize={MOVEMENTS_PAGE_SIZE}
        total={movements.data.total}
        noun="movements"
        onPage={(next) => void navigate({ search: { page: next }, resetScroll: false })}
      />
    </div>
  );
}
