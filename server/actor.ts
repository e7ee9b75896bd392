// Who is acting: the logged-in user as the domain sees it, whatever carried the request (an HTTP
// session, a socket handshake). The session stores it (auth/session.ts); services take it.
import type { Role } from './contract/auth.ts';

export interface Actor {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  /** The stylists.id of a stylist account. */
  stylistId?: string;
}
