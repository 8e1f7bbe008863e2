import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

export type Json = Record<string, any>;

export const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

export interface Param {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: Json;
}

/** One operation of the document, its references resolved. */
export interface Operation {
  /** `POST /api/v1/orders/{id}/cancel` */
  id: string;
  method: string;
  path: string;
  params: Param[];
  body: { contentType: string; schema: Json } | undefined;
  /** Refused without a session (a bearer token). */
  secured: boolean;
  /** Documented statuses, as strings: `['200', '400', ...]`. */
  statuses: string[];
  responses: Json;
}

/** A copy of `node` with every local `$ref` replaced by what it names (the document has no cycles). */
export function deref(doc: Json, node: unknown, depth = 0): any {
  if (depth > 50) throw new Error('deref: too deep (a cycle?)');
  if (Array.isArray(node)) return node.map((n) => deref(doc, n, depth + 1));
  if (!node || typeof node !== 'object') return node;
  const n = node as Json;
  if (typeof n.$ref === 'string') {
    const target = n.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce((at: any, key) => at?.[key], doc);
    if (target === undefined) throw new Error(`deref: ${n.$ref} not found`);
    return deref(doc, target, depth + 1);
  }
  return Object.fromEntries(Object.entries(n).map(([k, v]) => [k, deref(doc, v, depth + 1)]));
}

export function operationsOf(doc: Json): Operation[] {
  return Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((method): Operation => {
      const op = item[method] as Json;
      const content = op.requestBody?.content as Json | undefined;
      const contentType = content ? Object.keys(content)[0] : undefined;
      return {
        id: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        params: ((op.parameters ?? []) as Json[]).map((p) => ({
          name: p.name,
          in: p.in,
          required: p.required === true,
          schema: deref(doc, p.schema ?? {}),
        })),
        body:
          content && contentType
            ? { contentType, schema: deref(doc, content[contentType].schema ?? {}) }
            : undefined,
        // An operation that also takes nobody (`{}`: a guest placing or pricing an order) is
        // not refused to an anonymous caller; one a guest order's token opens still is, to
        // the fuzzer, which holds no such token.
        secured:
          Array.isArray(op.security) &&
          op.security.length > 0 &&
          !(op.security as Json[]).some((s) => Object.keys(s).length === 0),
        statuses: Object.keys(op.responses ?? {}),
        responses: op.responses ?? {},
      };
    }),
  );
}

// ajv-formats is CommonJS: its default export arrives wrapped under NodeNext resolution.
const addFormats = ((addFormatsModule as any).default ?? addFormatsModule) as (a: Ajv) => Ajv;

/**
 * Validates response bodies against the document's schemas (OpenAPI 3.0: ajv's `nullable`
 * support, formats from ajv-formats; `binary` is a file, not a JSON value).
 */
export class ResponseValidator {
  private readonly ajv: Ajv;
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(private readonly doc: Json) {
    this.ajv = new Ajv({ strict: false, allErrors: false, validateFormats: true });
    addFormats(this.ajv);
    this.ajv.addFormat('binary', true);
    this.ajv.addSchema({ $id: 'openapi', components: rewriteRefs(doc.components) });
  }

  /** The schema an operation documents for `status` and `contentType`, if any. */
  schemaFor(op: Operation, status: number, contentType: string): Json | undefined {
    const response = op.responses[String(status)] as Json | undefined;
    const media = (response?.content ?? {}) as Record<string, Json>;
    const type = contentType.split(';')[0]!.trim();
    return media[type]?.schema;
  }

  /** The ajv errors of `body` against the documented schema, or undefined when it matches. */
  errorsOf(key: string, schema: Json, body: unknown): string | undefined {
    let validate = this.cache.get(key);
    if (!validate) {
      validate = this.ajv.compile(rewriteRefs(schema));
      this.cache.set(key, validate);
    }
    if (validate(body)) return undefined;
    return this.ajv.errorsText(validate.errors);
  }
}

/** `#/components/...` → `openapi#/components/...`, so a compiled schema reaches the shared components. */
function rewriteRefs(node: unknown): any {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node as Json).map(([k, v]) =>
      k === '$ref' && typeof v === 'string' && v.startsWith('#/')
        ? [k, `openapi${v}`]
        : [k, rewriteRefs(v)],
    ),
  );
}
