import { z } from 'zod';
import { ROLES } from './enums.ts';
import { DISPLAY_NAME_MAX } from './limits.ts';

/** Accounts: register, login, me (docs/api.md "Auth"). */

export const role = z.enum(ROLES);
export type { Role } from './enums.ts';

/** Emails are stored lower-cased and trimmed, so lookups are exact. */
export const email = z.string().trim().toLowerCase().max(254).pipe(z.email());

export const password = z.string().min(8, 'at least 8 characters').max(200);
/** Registration answers a longer name 400 `NAME_TOO_LONG`. */
export { DISPLAY_NAME_MAX };
export const displayName = z.string().trim().min(1).max(DISPLAY_NAME_MAX);

export const registerBody = z.strictObject({
  email,
  password,
  displayName,
  phone: z
    .string()
    .trim()
    .min(3)
    .max(40)
    .regex(/^[0-9+()\-. ]+$/, 'digits, spaces and + ( ) - . only')
    .optional(),
});
export type RegisterBody = z.infer<typeof registerBody>;

export const loginBody = z.strictObject({
  email,
  // Not the registration rule: an old password that predates a rule must still be checkable.
  password: z.string().min(1).max(200),
});
export type LoginBody = z.infer<typeof loginBody>;

export const userDto = z.object({
  id: z.string(),
  email: z.string(),
  displayName: z.string(),
  role,
  /** Present for stylists: their stylists.id. */
  stylistId: z.string().optional(),
});
export type UserDto = z.infer<typeof userDto>;

/** GET /api/auth/session: the signed-in user, or null for a visitor (the page-load probe, never 401). */
export const sessionDto = z.object({ user: userDto.nullable() });

/** POST /api/auth/register answers the user itself (201); login and me answer `{user}`. */
export interface LoginResponse {
  user: UserDto;
}
