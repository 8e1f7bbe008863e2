import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import {
  useDeleteProductImage,
  useReorderProductImages,
  useUploadProductImage,
  type AdminProduct,
} from '../../../api/hooks/products';
import { problemMessage, toProblem } from '../../../api/problem';
import { Alert, Button, Field, Input } from '../../../ui';
import { imageUploadMessage, MAX_IMAGE_BYTES, moveImage } from './product-logic';

const uploadSchema = z.object({
  files: z
    .custom<FileList | undefined>()
    .refine((files) => files?.[0] !== undefined, 'Choose an image file first.')
    .refine((files) => (files?.[0]?.size ?? 0) <= MAX_IMAGE_BYTES, imageUploadMessage(413)),
});

/** The product's images in display order: upload, move earlier or later, delete. */
export function ProductImages({ product }: { product: AdminProduct }) {
  const upload = useUploadProductImage();
  const reorder = useReorderProductImages();
  const remove = useDeleteProductImage();
  const form = useForm({ resolver: zodResolver(uploadSchema) });
  const images = [...product.images].sort((a, b) => a.position - b.position);
  const ids = images.map((image) => image.id);
  const busy = upload.isPending || reorder.isPending || remove.isPending;
  const submit = form.handleSubmit(({ files }) => {
    reorder.reset();
    remove.reset();
    const file = files?.[0];
    if (file) upload.mutate({ id: product.id, file }, { onSuccess: () => form.reset() });
  });
  const error =
    form.formState.errors.files?.message ??
    (upload.isError
      ? uploadError(upload.error)
      : reorder.isError
        ? problemMessage(reorder.error)
        : remove.isError
          ? problemMessage(remove.error)
          : undefined);
  const files = form.register('files', {
    onChange: () => {
      upload.reset();
      form.clearErrors();
    },
  });

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
                  onClick={() =>
                    reorder.mutate({ id: product.id, imageIds: moveImage(ids, image.id, -1) })
                  }
                >
                  ↑ Earlier
                </Button>
                <Button
                  variant="ghost"
                  className="px-2 py-1"
                  disabled={busy || index === images.length - 1}
                  aria-label={`Move image ${index + 1} later`}
                  onClick={() =>
                    reorder.mutate({ id: product.id, imageIds: moveImage(ids, image.id, 1) })
                  }
                >
                  ↓ Later
                </Button>
                <Button
                  variant="ghost"
                  className="px-2 py-1 text-red-700"
                  disabled={busy}
                  aria-label={`Delete image ${index + 1}`}
                  onClick={() => remove.mutate({ id: product.id, imageId: image.id })}
                >
                  Delete
                </Button>
              </div>
            </li>
          ))}
        </ol>
      )}
      <form className="flex flex-wrap items-end gap-3" onSubmit={(e) => void submit(e)}>
        <Field label="Image file" hint="JPEG, PNG or WebP, at most 5 MB" className="min-w-0 flex-1">
          {(props) => (
            <Input {...props} type="file" accept="image/jpeg,image/png,image/webp" {...files} />
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
      {upload.isSuccess && <Alert tone="success">Image uploaded.</Alert>}
    </div>
  );
}

/** A refused upload in words: the server reads the bytes, so the reason is its status. */
function uploadError(error: unknown): string {
  const problem = toProblem(error);
  if (problem.status === 0) return problem.detail ?? 'The image could not be uploaded.';
  return imageUploadMessage(problem.status, problem.detail);
}
