/**
 * Every error code Ordo returns, with its HTTP status. A code without a status fails the
 * type check; domain code throws `AppError(code, ...)` and never an HTTP exception.
 */
export const errorStatus = {
  // --- request shape ---
  /** The body, query or params do not match the schema (wrong type, missing or unknown field, malformed JSON). Fix the request. */
  VALIDATION_FAILED: 400,
  /** The body is larger than the server accepts. */
  PAYLOAD_TOO_LARGE: 413,
  /** The Content-Type is not one the route accepts (send application/json), an upload that is not a JPEG, PNG or WebP image, or a catalog import that is not UTF-8 text. */
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** The request line and headers are more than the server reads (Node's limit, 16 KB). */
  HEADERS_TOO_LARGE: 431,
  /** The client did not send a whole request in time (Node's request timeout). */
  REQUEST_TIMEOUT: 408,
  /** Too many requests from this client; wait for Retry-After seconds. */
  RATE_LIMITED: 429,

  // --- auth ---
  /** No bearer token, or one that is malformed, tampered with or revoked. Log in. */
  UNAUTHENTICATED: 401,
  /** The email and password do not match an account (the same answer for both cases). */
  INVALID_CREDENTIALS: 401,
  /** The access token has expired; use the refresh token. */
  TOKEN_EXPIRED: 401,
  /** The refresh token is unknown, expired, revoked, or was reused after rotation. Log in again. */
  INVALID_REFRESH_TOKEN: 401,
  /** An email verification or password reset token that is unknown, used or expired. Ask for a new one. */
  INVALID_TOKEN: 422,
  /** Authenticated, but the role does not allow this. */
  FORBIDDEN: 403,
  /** REQUIRE_VERIFIED_EMAIL is on and the account's email is not verified yet. Verify it first. */
  EMAIL_NOT_VERIFIED: 403,
  /** An account with this email already exists. */
  EMAIL_TAKEN: 409,

  // --- resources ---
  /** No such resource, or one that belongs to somebody else. */
  NOT_FOUND: 404,
  /** Not enough stock; `details` lists each short variant (`productId`, `variantId`) with what is `requested` and `available`. */
  OUT_OF_STOCK: 409,
  /** Another product or variant already uses this sku (compared case-insensitively). */
  SKU_TAKEN: 409,
  /** The requested status change is not allowed from the current status. */
  INVALID_TRANSITION: 409,
  /** The customer already has MAX_UNPAID_ORDERS orders awaiting payment; pay or cancel one first. */
  TOO_MANY_UNPAID_ORDERS: 409,
  /** The order would take this customer's units of a product, across their unpaid orders, above MAX_UNITS_PER_PRODUCT; `details` lists each product with `requested`, `held` (in unpaid orders) and `limit`. Order fewer, or pay for or cancel an order. */
  PRODUCT_UNIT_LIMIT: 409,
  /** A request with this Idempotency-Key is still being processed; retry later. */
  IDEMPOTENCY_KEY_IN_FLIGHT: 409,
  /** This Idempotency-Key was used with a different request body. */
  IDEMPOTENCY_KEY_MISMATCH: 422,
  /** A stock adjustment would take a variant's stock above the maximum (1 000 000 000). */
  STOCK_LIMIT_EXCEEDED: 422,
  /** An order names a product that does not exist or is archived, or a variant that does not exist, is inactive or whose product is; `details` names each (`productId`, and `variantId` when the item named one). */
  PRODUCT_UNAVAILABLE: 422,
  /** A category's parent, or one of a product's `categoryIds`, names no category; `details` lists the unknown ids. Nothing changed. */
  CATEGORY_UNKNOWN: 422,
  /** Admin: another category already has this slug. Choose another, or leave `slug` out on create to have one made from the name. */
  SLUG_TAKEN: 409,
  /** Admin: a category cannot be moved under itself or under one of its own descendants. Nothing changed. */
  CATEGORY_CYCLE: 409,
  /** Admin: a category with subcategories or products cannot be deleted; move or delete its subcategories and take its products out first. */
  CATEGORY_NOT_EMPTY: 409,
  /** A product with options is ordered, stocked and restocked by variant: the request named it by `productId` (an order item, a stock adjustment, a refund's restock line). Name a `variantId`; `details` lists each such `productId`. */
  VARIANT_REQUIRED: 422,
  /** Admin: options and variants that do not fit together: more than 3 options, an option without values or named twice, a value given twice, a variant whose `options` do not name exactly one of each option's values, or a combination given twice (or already a variant). `errors` says which. */
  VARIANT_OPTIONS_INVALID: 422,
  /** Admin: a catalog CSV import with at least one bad row (or a bad header); `errors` lists each as `{row, message}` (`row` as a spreadsheet numbers it: the header is row 1), beside the `created` and `updated` counts the file would have given. Nothing was written: fix the rows and import the whole file again. */
  IMPORT_INVALID: 422,
  /** An order (or quote) names a `shippingAddressId` that is not in the caller's address book (another account's answers the same as none). Send the address itself, or the id of one of your saved addresses. */
  SHIPPING_ADDRESS_UNKNOWN: 422,
  /** The address book already holds the most addresses an account may keep (50); delete one first. */
  ADDRESS_BOOK_FULL: 422,
  /** An image upload whose declared size exceeds the pixel limit (a decompression bomb, or simply too big). Upload a smaller image. */
  IMAGE_TOO_MANY_PIXELS: 422,
  /** An upload recognised as JPEG, PNG or WebP that cannot be decoded (truncated or damaged). */
  IMAGE_UNREADABLE: 422,

  // --- promotions (an order with a code that does not apply is refused; a quote reports it) ---
  /** No promo code with this name (codes match case-insensitively). */
  PROMO_CODE_UNKNOWN: 422,
  /** The code exists but an admin has deactivated it. */
  PROMO_CODE_INACTIVE: 422,
  /** The code's validity window has not started yet. */
  PROMO_CODE_NOT_STARTED: 422,
  /** The code's validity window has ended. */
  PROMO_CODE_EXPIRED: 422,
  /** The order's subtotal is below the code's minimum. */
  PROMO_CODE_MIN_SUBTOTAL: 422,
  /** The code has been used as often as it may be. */
  PROMO_CODE_USAGE_LIMIT: 422,
  /** This customer has used the code as often as one customer may. */
  PROMO_CODE_CUSTOMER_LIMIT: 422,
  /** Admin: another promo code already has this code (compared case-insensitively). */
  PROMO_CODE_TAKEN: 409,
  /** Admin: a used code cannot be deleted; deactivate it. */
  PROMO_CODE_IN_USE: 409,

  // --- payments ---
  /** The payment provider declined the payment; the order stays payable. `details` has the failure code. */
  PAYMENT_DECLINED: 422,
  /** A payment for this order is still processing; wait for it to settle. */
  PAYMENT_IN_PROGRESS: 409,
  /** A refund larger than what is left of the payment. */
  REFUND_EXCEEDS_PAYMENT: 422,
  /** The payment provider refused the refund. */
  REFUND_FAILED: 422,
  /** A refund asks to restock more units of a variant than the order still holds (ordered, less those back in stock or chosen by a refund still pending), or a variant not in the order; `details` lists each with `requested` and `restockable`. */
  RESTOCK_EXCEEDS_ORDER: 422,
  /** A webhook whose signature is missing, wrong or outside the 300 s tolerance. Nothing changed. */
  WEBHOOK_SIGNATURE_INVALID: 400,

  // --- server ---
  /** A bug. The response carries no internals; the requestId finds the log line. */
  INTERNAL: 500,
  /** A dependency (database, Redis) is down; retry later. */
  UNAVAILABLE: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof errorStatus;

const titles: Partial<Record<ErrorCode, string>> = {
  VALIDATION_FAILED: 'Validation failed',
  NOT_FOUND: 'Not found',
  UNAUTHENTICATED: 'Authentication required',
  FORBIDDEN: 'Forbidden',
  INTERNAL: 'Internal server error',
  UNAVAILABLE: 'Service unavailable',
};

export function errorTitle(code: ErrorCode): string {
  return (
    titles[code] ??
    code
      .toLowerCase()
      .split('_')
      .map((w, i) => (i === 0 ? w[0]!.toUpperCase() + w.slice(1) : w))
      .join(' ')
  );
}

export interface FieldError {
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly extra: {
      errors?: FieldError[];
      details?: unknown[];
      retryAfter?: number;
      /** More members of the problem body (RFC 9457 extension members), as the route documents them. */
      members?: Record<string, unknown>;
    } = {},
  ) {
    super(message ?? errorTitle(code));
    this.name = 'AppError';
    this.status = errorStatus[code];
  }
}

export const notFound = (what = 'Resource') => new AppError('NOT_FOUND', `${what} not found`);
