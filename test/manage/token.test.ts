// Manage-link tokens on their own: what is signed comes back, and anything else is not ours.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signLink, TOKEN_LENGTH, verifyLink } from '../../server/manage/token.ts';
import { manageToken as manageTokenSchema } from '../../server/contract/manage.ts';

const secret = randomBytes(32);
const BOOKING = '3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const OTHER = '3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5e';
const EXP = Date.parse('2027-04-01T12:00:00Z');

describe('manage-link tokens', () => {
  it('round-trips the booking, actions, expiry and a nonce; the contract schema accepts it', () => {
    const t = signLink(secret, { bookingId: BOOKING, actions: ['view', 'cancel'], expiresAtMs: EXP });
    expect(t).toHaveLength(TOKEN_LENGTH);
    expect(manageTokenSchema.safeParse(t).success).toBe(true);
    const c = verifyLink([secret], t)!;
    expect(c.bookingId).toBe(BOOKING);
    expect(c.actions).toEqual(['view', 'cancel']);
    expect(c.expiresAtMs).toBe(EXP);
    expect(c.nonce).toMatch(/^[A-Za-z0-9_-]{12}$/);
    // Two links for the same booking are two links.
    const again = signLink(secret, { bookingId: BOOKING, actions: ['view', 'cancel'], expiresAtMs: EXP });
    expect(again).not.toBe(t);
    expect(verifyLink([secret], again)!.nonce).not.toBe(c.nonce);
  });

  it('any changed character, another secret, another length or shape: not ours', () => {
    const t = signLink(secret, { bookingId: BOOKING, actions: ['view', 'cancel', 'reschedule'], expiresAtMs: EXP });
    for (let i = 0; i < t.length; i++) {
      const c = t[i] === 'A' ? 'B' : 'A';
      const tampered = t.slice(0, i) + c + t.slice(i + 1);
      expect(verifyLink([secret], tampered), `character ${i}`).toBeNull();
    }
    expect(verifyLink([randomBytes(32)], t)).toBeNull();
    expect(verifyLink([secret], t.slice(1))).toBeNull();
    expect(verifyLink([secret], `${t}A`)).toBeNull();
    expect(verifyLink([secret], '')).toBeNull();
    expect(verifyLink([secret], 'x'.repeat(TOKEN_LENGTH))).toBeNull();
    expect(verifyLink([secret], t.replace(/./, '+'))).toBeNull();
  });

  it('a link for one booking cannot be made into one for another: the booking id is signed', () => {
    const t = signLink(secret, { bookingId: BOOKING, actions: ['view'], expiresAtMs: EXP });
    const raw = Buffer.from(t, 'base64url');
    // Swap in the other booking's id bytes (offset 1, 16 bytes), keeping the signature.
    Buffer.from(OTHER.replaceAll('-', ''), 'hex').copy(raw, 1);
    expect(verifyLink([secret], raw.toString('base64url'))).toBeNull();
    // Widening the actions or the expiry is refused the same way.
    const wider = Buffer.from(t, 'base64url');
    wider[17] = 0b111;
    expect(verifyLink([secret], wider.toString('base64url'))).toBeNull();
    const later = Buffer.from(t, 'base64url');
    later.writeUInt32BE(later.readUInt32BE(18) + 86_400, 18);
    expect(verifyLink([secret], later.toString('base64url'))).toBeNull();
  });

  it('an earlier secret still in the list verifies (rotation)', () => {
    const old = randomBytes(32);
    const t = signLink(old, { bookingId: BOOKING, actions: ['view'], expiresAtMs: EXP });
    expect(verifyLink([secret, old], t)?.bookingId).toBe(BOOKING);
  });

  it('refuses to sign nonsense', () => {
    expect(() => signLink(secret, { bookingId: 'nope', actions: ['view'], expiresAtMs: EXP })).toThrow(/booking id/);
    expect(() => signLink(secret, { bookingId: BOOKING, actions: [], expiresAtMs: EXP })).toThrow(/at least one/);
    expect(() => signLink(secret, { bookingId: BOOKING, actions: ['view'], expiresAtMs: Number.NaN })).toThrow(/expiry/);
  });
});
