// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { alternativesOf, Api, ApiError, passwordProblem, plainMessage, query } from '../../web/src/lib/api.ts';
import { errorBody, fakeFetch } from './fakes.ts';

describe('Api', () => {
  it('turns contract errors into ApiError with code, details and Retry-After', async () => {
    const api = new Api(
      fakeFetch({
        'POST /api/holds': () => ({ status: 429, body: errorBody('RATE_LIMITED', 'slow'), headers: { 'retry-after': '12' } }),
        'DELETE /api/holds/:id': () => ({ status: 204 }),
      }),
    );
    const err = (await api.post('/api/holds', {}).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect([err.code, err.status, err.retryAfter]).toEqual(['RATE_LIMITED', 429, 12]);
    expect(plainMessage(err)).toBe('Too many attempts. Please wait 12 seconds and try again.');
    expect(await api.delete('/api/holds/h1')).toBeUndefined();
  });

  it('reports a network failure as such', async () => {
    const api = new Api(() => Promise.reject(new TypeError('Failed to fetch')));
    const err = (await api.get('/api/services').catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('NETWORK');
    expect(plainMessage(err)).toMatch(/could not reach the salon/);
  });

  it('builds query strings without empty values', () => {
    expect(query({ a: '1', b: undefined, c: '', d: 2 })).toBe('?a=1&d=2');
    expect(query({})).toBe('');
  });
});

describe('plainMessage', () => {
  const msg = (code: string, status = 400, details?: unknown, message = '') => plainMessage(new ApiError(code, status, message, details));

  it('names the fields a person must fix', () => {
    expect(msg('INVALID_INPUT', 400, { fields: [{ field: 'email' }, { field: 'password' }, { field: 'email' }] })).toBe(
      'Please check the email address and password.',
    );
    expect(msg('INVALID_INPUT', 400)).toMatch(/missing or not valid/);
  });

  it('has words for every contract code and never shows internals', () => {
    for (const code of [
      'WEAK_PASSWORD',
      'UNKNOWN_TIMEZONE',
      'NOT_ON_GRID',
      'OUTSIDE_HOURS',
      'IN_PAST',
      'FORBIDDEN',
      'NOT_FOUND',
      'SLOT_TAKEN',
      'SLOT_HELD',
      'HOLD_EXPIRED',
      'INVALID_TRANSITION',
      'CONFLICT',
      'PAYLOAD_TOO_LARGE',
      'NOT_READY',
    ]) {
      const text = msg(code, 409, undefined, 'pg: relation "bookings" violates constraint');
      expect(text).not.toMatch(/pg|constraint|_/);
      expect(text.length).toBeGreaterThan(10);
    }
    expect(msg('INTERNAL', 500)).toBe('Something went wrong on our side. Please try again.');
    expect(msg('UNAUTHENTICATED', 401, undefined, 'Wrong email or password')).toBe('That email and password do not match an account.');
    expect(msg('UNAUTHENTICATED', 401, undefined, 'Sign in first')).toBe('Please sign in to continue.');
  });

  it("gives the server's reason for a weak password, and a rule without one", () => {
    expect(msg('WEAK_PASSWORD', 400, { field: 'password', score: 0, reason: 'This is a heavily used password.' })).toBe(
      'This password is too easy to guess. This is a heavily used password.',
    );
    expect(msg('WEAK_PASSWORD', 400, { reason: 42 })).toMatch(/^This password is too easy to guess\. Choose a longer one/);
    expect(passwordProblem(new ApiError('INVALID_INPUT', 400, '', { fields: [{ field: 'password' }] }))).toBe(
      'Choose a password of 8 to 200 characters.',
    );
    expect(passwordProblem(new ApiError('INVALID_INPUT', 400, '', { fields: [{ field: 'email' }] }))).toBeNull();
    expect(passwordProblem(new ApiError('CONFLICT', 409, ''))).toBeNull();
  });

  it('reads the alternatives of a 409 as start instants', () => {
    const e = new ApiError('SLOT_TAKEN', 409, '', { alternatives: [{ startUtc: 'a', endUtc: 'x' }, 'b', 3] });
    expect(alternativesOf(e)).toEqual(['a', 'b']);
    expect(alternativesOf(new Error('x'))).toEqual([]);
  });
});
