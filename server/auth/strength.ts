// Password strength for new passwords (registration, a stylist's first password): zxcvbn-ts with
// its common-password list and English words and names, refusing what an attacker's guessing
// would find quickly. Login never checks strength: an old password must keep working.
// The estimator and its word lists (about 12 MB of heap) are imported on the first check, not at
// start: a process that registers nobody never holds them.
import type { ZxcvbnFactory, ZxcvbnResult } from '@zxcvbn-ts/core';
import { AppError } from '../errors.ts';

/** zxcvbn's scale is 0 to 4; 3 is "safely unguessable" against an online attack with some throttling. */
export const MIN_PASSWORD_SCORE = 3;

/**
 * Only the first 64 characters are estimated: the matchers' cost grows steeply with length (a
 * 200-character repetitive password costs over a second of CPU on the event loop), and 64 strong
 * characters are strong whatever follows. A longer password is judged by its first 64.
 */
const ESTIMATED_LENGTH = 64;

/** Words of the product itself: a password made of them is easy to guess for this site. */
const SITE_WORDS = ['kbstylish', 'kb stylish', 'stylish'];

let estimator: Promise<ZxcvbnFactory> | undefined;

/** Imported and built once, on the first check (the dictionaries take a few hundred ms to rank); a failed import is tried again next time. */
function zxcvbn(): Promise<ZxcvbnFactory> {
  estimator ??= buildEstimator().catch((err: unknown) => {
    estimator = undefined;
    throw err;
  });
  return estimator;
}

async function buildEstimator(): Promise<ZxcvbnFactory> {
  const [{ ZxcvbnFactory }, common, en] = await Promise.all([
    import('@zxcvbn-ts/core'),
    import('@zxcvbn-ts/language-common'),
    import('@zxcvbn-ts/language-en'),
  ]);
  return new ZxcvbnFactory({
    // The small English lists (months, planets…) add a matcher pass each for little: left out.
    dictionary: {
      ...common.dictionary,
      'commonWords-en': en.dictionary['commonWords-en'],
      'firstnames-en': en.dictionary['firstnames-en'],
      'lastnames-en': en.dictionary['lastnames-en'],
      'wikipedia-en': en.dictionary['wikipedia-en'],
    },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
    maxLength: ESTIMATED_LENGTH,
  });
}

/** The user's own data in the forms a password is built from: the email, its parts, the name. */
export function personalInputs(email: string, displayName: string): string[] {
  const [local = '', domain = ''] = email.toLowerCase().split('@');
  const words = [...local.split(/[^a-z0-9]+/), ...domain.split('.').slice(0, -1), ...displayName.toLowerCase().split(/\s+/)];
  const inputs = [email, local, local.replace(/[^a-z0-9]/g, ''), displayName, displayName.replace(/\s+/g, ''), ...words, ...SITE_WORDS];
  return [...new Set(inputs.filter((w) => w.length >= 3))];
}

export interface Weakness {
  score: number;
  /** For a person: what makes it weak and what to do instead. */
  reason: string;
}

/** Null when `password` is strong enough, else its score and the estimator's reason. */
export async function passwordWeakness(password: string, userInputs: string[]): Promise<Weakness | null> {
  const r: ZxcvbnResult = (await zxcvbn()).check(password, userInputs);
  if (r.score >= MIN_PASSWORD_SCORE) return null;
  const parts = [r.feedback.warning, ...r.feedback.suggestions].filter((p): p is string => !!p);
  return { score: r.score, reason: parts.length ? parts.join(' ') : 'It would be easy to guess.' };
}

/** Throws 400 WEAK_PASSWORD (with the reason as message and details) for a weak new password. */
export async function assertStrongPassword(password: string, account: { email: string; displayName: string }): Promise<void> {
  const weak = await passwordWeakness(password, personalInputs(account.email, account.displayName));
  if (!weak) return;
  throw new AppError('WEAK_PASSWORD', `Choose a stronger password: ${weak.reason}`, {
    field: 'password',
    score: weak.score,
    minScore: MIN_PASSWORD_SCORE,
    reason: weak.reason,
  });
}
