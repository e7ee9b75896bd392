import { Router, type Request } from 'express';
import type { Config } from '../config.ts';
import { DISPLAY_NAME_MAX, loginBody, registerBody, type UserDto } from '../contract/auth.ts';
import type { Pool } from '../db/pool.ts';
import { AppError, parseOr400 } from '../errors.ts';
import { noQuery } from '../contract/routes-table.ts';
import { loginLimiter, registerLimiter, requireUser } from './guard.ts';
import { DUMMY_HASH_PROMISE, hashPassword, verifyPassword } from './password.ts';
import type { Actor } from '../actor.ts';
import { SESSION_COOKIE } from './session.ts';
import { assertStrongPassword } from './strength.ts';

interface UserRow {
  id: string;
  email: string;
  /** Null for a customer record made at the front desk (it cannot log in). */
  password_hash: string | null;
  display_name: string;
  role: Actor['role'];
  stylist_id: string | null;
}

const USER_SQL = `select u.id, u.email, u.password_hash, u.display_name, u.role, s.id as stylist_id
  from users u left join stylists s on s.user_id = u.id`;

function toActor(r: UserRow): Actor {
  return {
    id: r.id,
    email: r.email,
    displayName: r.display_name,
    role: r.role,
    ...(r.stylist_id ? { stylistId: r.stylist_id } : {}),
  };
}

export const toUserDto = (u: Actor): UserDto => ({ ...u });

/** Starts a fresh session (a new id: no fixation) holding `user`. */
async function logIn(req: Request, user: Actor): Promise<void> {
  await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
  req.session.user = user;
  await new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
}

const BAD_LOGIN = 'Wrong email or password';

/** A name over the limit is refused with its own code (checked before the other fields), never cut. */
function assertNameFits(body: unknown): void {
  const name = (body as { displayName?: unknown } | null)?.displayName;
  if (typeof name === 'string' && name.trim().length > DISPLAY_NAME_MAX) {
    throw new AppError('NAME_TOO_LONG', `The name can be at most ${DISPLAY_NAME_MAX} characters`, {
      field: 'displayName',
      max: DISPLAY_NAME_MAX,
      length: name.trim().length,
    });
  }
}

/** POST /api/auth/register, /login, /logout and GET /api/auth/me, /session. */
export function authRoutes(deps: { pool: Pool; config: Config }): Router {
  const { pool, config } = deps;
  const r = Router();
  const limited = loginLimiter(config);

  r.post('/api/auth/register', registerLimiter(config), limited, async (req, res) => {
    assertNameFits(req.body);
    const body = parseOr400(registerBody, req.body);
    await assertStrongPassword(body.password, body);
    const hash = await hashPassword(body.password);
    let row: UserRow | undefined;
    try {
      ({
        rows: [row],
      } = await pool.query<UserRow>(
        // A customer record the front desk made with this e-mail (a walk-in: no password) is claimed:
        // it gets the password and the name, and keeps its bookings. Any other account is a conflict.
        `insert into users as u (email, password_hash, display_name, phone, role) values ($1, $2, $3, $4, 'customer')
         on conflict (email) do update set password_hash = excluded.password_hash, display_name = excluded.display_name,
           phone = coalesce(excluded.phone, u.phone), walk_in = false
           where u.walk_in and u.password_hash is null and u.role = 'customer'
         returning u.id, u.email, u.password_hash, u.display_name, u.role, null::uuid as stylist_id`,
        [body.email, hash, body.displayName, body.phone ?? null],
      ));
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw new AppError('CONFLICT', 'An account with this email already exists');
      throw err;
    }
    if (!row) throw new AppError('CONFLICT', 'An account with this email already exists');
    const user = toActor(row);
    await logIn(req, user);
    res.status(201).json(toUserDto(user));
  });

  r.post('/api/auth/login', limited, async (req, res) => {
    const body = parseOr400(loginBody, req.body);
    const { rows } = await pool.query<UserRow>(`${USER_SQL} where u.email = $1`, [body.email]);
    const row = rows[0];
    // An unknown email, or a customer record without a password (made at the front desk), costs one
    // scrypt too, and answers exactly like a wrong password.
    const ok = await verifyPassword(body.password, row?.password_hash ?? (await DUMMY_HASH_PROMISE));
    if (!row || row.password_hash === null || !ok) throw new AppError('UNAUTHENTICATED', BAD_LOGIN);
    const user = toActor(row);
    await logIn(req, user);
    res.json({ user: toUserDto(user) });
  });

  r.post('/api/auth/logout', async (req, res) => {
    // Destroying the session also disconnects its sockets (the store reports it: auth/session.ts,
    // realtime/sessions.ts), so an open tab stops receiving this user's live events.
    if (req.session) {
      await new Promise<void>((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
    }
    res.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: config.cookieSecure });
    res.status(204).end();
  });

  r.get('/api/auth/me', (req, res) => {
    res.json({ user: toUserDto(requireUser(req)) });
  });

  // The page-load probe: a visitor is an answer, not an error (no 401 in the browser's console).
  r.get('/api/auth/session', (req, res) => {
    parseOr400(noQuery, req.query);
    const user = req.session?.user;
    res.json({ user: user ? toUserDto(user) : null });
  });

  return r;
}
