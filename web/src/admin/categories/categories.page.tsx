import { useState, type FormEvent } from 'react';
import { $api } from '../../api/client';
import { flattenTree, indentedName, moveTargets, type Flat } from '../../api/category-tree';
import {
  useCreateCategory,
  useDeleteCategory,
  useUpdateCategory,
  type AdminCategoryNode,
} from '../../api/hooks/categories';
import { Dialog } from '../../ui/dialog';
import { Alert, Button, Card, Field, Input, Loading, Page, ProblemAlert, Select } from '../../ui';
import { AdminProblem, formText } from '../admin-ui';
import { NothingHere } from '../data-table';
import { deleteRefusal } from './category-logic';

const TOP_LEVEL = '';

/** The "Parent category" select: top level, then each allowed parent indented by depth. */
function ParentSelect({
  targets,
  ...props
}: {
  targets: Flat<AdminCategoryNode>[];
  id: string;
  name: string;
  defaultValue: string;
}) {
  return (
    <Select {...props}>
      <option value={TOP_LEVEL}>None (top level)</option>
      {targets.map(({ node, depth }) => (
        <option key={node.id} value={node.id}>
          {indentedName(node.name, depth)}
        </option>
      ))}
    </Select>
  );
}

export function CategoriesPage() {
  const tree = $api.useQuery('get', '/api/v1/admin/categories');
  return (
    <Page title="Categories">
      {tree.isPending ? (
        <Loading label="Loading categories…" />
      ) : tree.isError ? (
        <AdminProblem error={tree.error} title="The categories could not be loaded" />
      ) : (
        <div className="space-y-6">
          <Card title="New category">
            <NewCategoryForm tree={tree.data} />
          </Card>
          <Card title="Category tree">
            {tree.data.length === 0 ? (
              <NothingHere title="No categories yet">
                Create one to group products in the shop.
              </NothingHere>
            ) : (
              <CategoryList nodes={tree.data} tree={tree.data} />
            )}
          </Card>
        </div>
      )}
    </Page>
  );
}

function NewCategoryForm({ tree }: { tree: AdminCategoryNode[] }) {
  const create = useCreateCategory();
  // A new form after each category made, so its fields start empty again.
  const [generation, setGeneration] = useState(0);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const slug = formText(form, 'slug');
    create.mutate(
      {
        name: formText(form, 'name') ?? '',
        ...(slug ? { slug } : {}),
        parentId: formText(form, 'parentId') ?? null,
      },
      { onSuccess: () => setGeneration((g) => g + 1) },
    );
  };
  return (
    <form
      key={generation}
      onSubmit={submit}
      aria-label="New category"
      className="flex flex-wrap items-start gap-3"
    >
      <Field label="Name" className="w-full sm:w-56">
        {(props) => <Input {...props} name="name" required maxLength={100} />}
      </Field>
      <Field
        label="Slug (optional)"
        hint="Made from the name when empty"
        className="w-full sm:w-56"
      >
        {(props) => <Input {...props} name="slug" maxLength={100} />}
      </Field>
      <Field label="Parent category" className="w-full sm:w-64">
        {(props) => (
          <ParentSelect
            {...props}
            name="parentId"
            defaultValue={TOP_LEVEL}
            targets={flattenTree(tree)}
          />
        )}
      </Field>
      {/* Level with the fields, below their labels. */}
      <Button type="submit" busy={create.isPending} className="sm:mt-6">
        Create category
      </Button>
      {create.isError && (
        <ProblemAlert
          error={create.error}
          title="The category was not created"
          className="w-full"
        />
      )}
      {create.isSuccess && (
        <Alert tone="success" className="w-full">
          Created {create.data.name} ({create.data.slug}).
        </Alert>
      )}
    </form>
  );
}

/** The tree as nested lists, each level indented under its parent. */
function CategoryList({ nodes, tree }: { nodes: AdminCategoryNode[]; tree: AdminCategoryNode[] }) {
  return (
    <ul className="space-y-1">
      {nodes.map((node) => (
        <li key={node.id}>
          <CategoryRow node={node} tree={tree} />
          {node.children.length > 0 && (
            <div className="ml-4 border-l border-slate-200 pl-3 sm:ml-6 sm:pl-4">
              <CategoryList nodes={node.children} tree={tree} />
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}

function CategoryRow({ node, tree }: { node: AdminCategoryNode; tree: AdminCategoryNode[] }) {
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  return (
    <div className="flex flex-wrap items-center justify-between gap-2 rounded-md px-2 py-1.5 hover:bg-slate-50">
      <div className="min-w-0">
        <p className="font-medium text-slate-900">{node.name}</p>
        <p className="text-xs text-slate-600">
          <span className="font-mono">{node.slug}</span> · {node.productCount}{' '}
          {node.productCount === 1 ? 'product' : 'products'}
        </p>
      </div>
      <div className="flex gap-1">
        <Button variant="ghost" className="px-2 py-1" onClick={() => setEditing(true)}>
          Edit<span className="sr-only"> {node.name}</span>
        </Button>
        <Button variant="ghost" className="px-2 py-1" onClick={() => setDeleting(true)}>
          Delete<span className="sr-only"> {node.name}</span>
        </Button>
      </div>
      {editing && <EditDialog node={node} tree={tree} onClose={() => setEditing(false)} />}
      {deleting && <DeleteDialog node={node} onClose={() => setDeleting(false)} />}
    </div>
  );
}

function EditDialog({
  node,
  tree,
  onClose,
}: {
  node: AdminCategoryNode;
  tree: AdminCategoryNode[];
  onClose: () => void;
}) {
  const update = useUpdateCategory();
  const formId = `edit-${node.id}`;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = formText(form, 'name') ?? '';
    const slug = formText(form, 'slug') ?? '';
    const parentId = formText(form, 'parentId') ?? null;
    update.mutate(
      {
        id: node.id,
        changes: {
          ...(name !== node.name ? { name } : {}),
          ...(slug !== node.slug ? { slug } : {}),
          ...(parentId !== node.parentId ? { parentId } : {}),
        },
      },
      { onSuccess: onClose },
    );
  };
  return (
    <Dialog
      open
      onOpenChange={(open) => !open && onClose()}
      title={`Edit ${node.name}`}
      description="Renaming keeps the slug, so links to the category keep working."
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" form={formId} busy={update.isPending}>
            Save category
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={submit} className="space-y-4">
        {update.isError && <ProblemAlert error={update.error} title="The category was not saved" />}
        <Field label="Name">
          {(props) => (
            <Input {...props} name="name" required maxLength={100} defaultValue={node.name} />
          )}
        </Field>
        <Field label="Slug" hint="Lowercase letters, digits and dashes; used in shop links">
          {(props) => (
            <Input {...props} name="slug" required maxLength={100} defaultValue={node.slug} />
          )}
        </Field>
        <Field label="Parent category">
          {(props) => (
            <ParentSelect
              {...props}
              name="parentId"
              defaultValue={node.parentId ?? TOP_LEVEL}
              targets={moveTargets(tree, node.id)}
            />
          )}
        </Field>
      </form>
    </Dialog>
  );
}

function DeleteDialog({ node, onClose }: { node: AdminCategoryNode; onClose: () => void }) {
  const remove = useDeleteCategory();
  const refusal = deleteRefusal(node);
  return (
    <Dialog
      open
      onOpenChange={(open) => !open && onClose()}
      title={`Delete ${node.name}?`}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            {refusal ? 'Close' : 'Cancel'}
          </Button>
          {!refusal && (
            <Button
              variant="danger"
              busy={remove.isPending}
              onClick={() => remove.mutate(node.id, { onSuccess: onClose })}
            >
              Delete category
            </Button>
          )}
        </>
      }
    >
      {refusal ? (
        <Alert tone="warning" title="This category is not empty">
          {refusal}
        </Alert>
      ) : (
        <p className="text-sm text-slate-700">
          {node.name} has no subcategories and no products. Links to it in the shop will show an
          empty list.
        </p>
      )}
      {remove.isError && (
        <ProblemAlert error={remove.error} title="The category was not deleted" className="mt-3" />
      )}
    </Dialog>
  );
}
