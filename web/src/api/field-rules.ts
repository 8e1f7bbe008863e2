import { z } from 'zod';

export { bodyRules } from './schema.gen';

/** The validation keywords the server declares for one string field of a request body. */
export interface StringRule {
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
}

/**
 * A form field for a server string field: trimmed like the server trims it, with the server's
 * lengths and pattern, so the form cannot accept what the API refuses. The messages are the
 * form's own words; the limits are the server's.
 */
export function serverText(
  rule: StringRule,
  messages: { required?: string; pattern?: string } = {},
): z.ZodString {
  let field = z.string().trim();
  // A pattern that needs a first character also makes the field required: say so first.
  const minLength = rule.minLength ?? (messages.required ? 1 : 0);
  if (minLength > 0) {
    field = field.min(
      minLength,
      minLength === 1 ? (messages.required ?? 'Required') : `At least ${minLength} characters`,
    );
  }
  if (rule.maxLength !== undefined) {
    field = field.max(rule.maxLength, `At most ${rule.maxLength} characters`);
  }
  if (rule.pattern !== undefined) {
    field = field.regex(new RegExp(rule.pattern), messages.pattern ?? 'Not in the expected form');
  }
  return field;
}

/** An optional server string field: left empty it is left out (undefined), else checked. */
export function optionalServerText(rule: StringRule, messages: { pattern?: string } = {}) {
  return z
    .string()
    .transform((text) => text.trim())
    .pipe(z.union([z.literal(''), serverText(rule, messages)]))
    .transform((text) => (text === '' ? undefined : text));
}
