// An index-wide admin: a token with the `admin` permission and no project
// scope. What reads the takedown log and changes the repository's keys:
// both concern every project, so a project-scoped admin token may do neither.

import { tokenAllows, type TokenRecord } from '../../shared/index.ts';
import { clientError } from '../http/errors.ts';

/** @throws HTTPException 403 (with `what` the token may not do) unless the token is an index-wide admin. */
export function requireIndexAdmin(token: TokenRecord, what: string): void {
  if (!(token.projects === null && tokenAllows(token, '', 'admin'))) throw clientError(403, `${what} needs an admin token for every project (token create --permission admin).`);
}
