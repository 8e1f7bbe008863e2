import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { AppError } from '../../shared/errors.js';

/**
 * Refuses passwords that are easy to guess: the common-password lists of zxcvbn-ts, and what
 * it recognises as close to them (`password1`, `Summer2026`), keyboard walks, sequences and
 * repeats. A score of 2 ("somewhat guessable", about 10^6 guesses and more) is the least it
 * accepts, as zxcvbn's authors recommend for an online service behind rate limits.
 */
const MIN_SCORE = 2;

/**
 * zxcvbn's work grows with the length, and a long password is not a common one: only its
 * start is checked, so a 256-character passphrase cannot hold the event loop.
 */
const CHECKED_LENGTH = 64;

// Its dictionaries take about 0.3 s and 30 MB to load: they are loaded on the first password
// set (a registration, a reset, a change, create-admin), never at start, and then kept.
let checker: Promise<ZxcvbnFactory> | undefined;
function loadChecker(): Promise<ZxcvbnFactory> {
  checker ??= Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common')]).then(
    ([{ ZxcvbnFactory }, common]) =>
      new ZxcvbnFactory({ dictionary: common.dictionary, graphs: common.adjacencyGraphs }),
  );
  return checker;
}

/** Why zxcvbn refused, in words for the person choosing the password. */
function explain(warning: string | null): string {
  switch (warning) {
    case 'topTen':
    case 'topHundred':
    case 'common':
      return 'is one of the most commonly used passwords';
    case 'similarToCommon':
      return 'is too close to a commonly used password';
    case 'straightRow':
    case 'keyPattern':
      return 'is a keyboard pattern, which is easy to guess';
    case 'simpleRepeat':
    case 'extendedRepeat':
      return 'repeats characters, which is easy to guess';
    case 'sequences':
      return 'is a sequence such as abcd or 1234, which is easy to guess';
    case 'userInputs':
      return 'contains your name or email address, which is easy to guess';
    case 'recentYears':
    case 'dates':
      return 'is based on a date, which is easy to guess';
    case null:
    default:
      return 'is too easy to guess';
  }
}

/**
 * What is wrong with `password` ("is one of the most commonly used passwords"), or undefined
 * when it is strong enough. `related` are the person's own details (email, name), which make a
 * password weaker when it contains them.
 */
export async function passwordWeakness(
  password: string,
  related: readonly (string | undefined)[] = [],
): Promise<string | undefined> {
  const zxcvbn = await loadChecker();
  const userInputs = related.flatMap((value) =>
    value ? [value.toLowerCase(), ...value.toLowerCase().split(/[^a-z0-9]+/)] : [],
  );
  const result = zxcvbn.check(
    password.slice(0, CHECKED_LENGTH),
    userInputs.filter((input) => input.length >= 3),
  );
  return result.score >= MIN_SCORE ? undefined : explain(result.feedback.warning);
}

/**
 * Throws 400 VALIDATION_FAILED, with the field's path, for a password that is easy to guess.
 * `field` is the body's field name (`password`, `newPassword`).
 */
export async function requireStrongPassword(
  password: string,
  field: string,
  related: readonly (string | undefined)[] = [],
): Promise<void> {
  const weakness = await passwordWeakness(password, related);
  if (!weakness) return;
  throw new AppError('VALIDATION_FAILED', `This password ${weakness}: choose another one.`, {
    errors: [{ path: `body.${field}`, message: `This password ${weakness}` }],
  });
}
