/**
 * What a failed statement means for a connector, from PostgreSQL's SQLSTATE (or, when no server
 * answered, Node's socket error): a row the server refused (the row goes to dead letters, the rest
 * is written), the server being away for a moment (reconnect and try again), or anything else (the
 * run fails with it).
 */

/** The fields of a node-postgres error a connector reads. */
interface ServerError {
  /** Set on every error the server sent (`ERROR`, `FATAL`, …), and on no socket error. */
  readonly severity?: unknown;
  readonly code?: unknown;
  readonly constraint?: unknown;
  readonly detail?: unknown;
  readonly message?: unknown;
}

/**
 * The SQLSTATE of `error`, when the server sent one. Node's socket errors have a `code` too, some
 * of five capitals (`EPIPE`): only an error with the server's `severity` carries a SQLSTATE.
 */
export function sqlStateOf(error: unknown): string | undefined {
  const { code, severity } = (error ?? {}) as ServerError;
  return typeof code === 'string' && typeof severity === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * Whether the server refused the data of a statement, not the statement: class 22 (data exception:
 * a value of the wrong type, out of range, too long) and class 23 (integrity constraint violation).
 * Only these are tried again row by row, to find the rows to send to dead letters.
 */
export function isRowRejection(error: unknown): boolean {
  const state = sqlStateOf(error);
  return state !== undefined && (state.startsWith('22') || state.startsWith('23'));
}

/** SQLSTATEs after which the same statement, tried again on a new connection, may succeed. */
const TRANSIENT_STATES = new Set([
  '40001', // serialization failure
  '40P01', // deadlock detected
  '53300', // too many connections
  '55P03', // lock not available
  '57P01', // admin shutdown (the server is stopping or restarting)
  '57P02', // crash shutdown
  '57P03', // cannot connect now (the server is starting)
  '57P05', // idle session timeout
]);

/** Node's socket errors of a server that is away. */
const TRANSIENT_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** Whether `error` is the server being away (restarting, unreachable for a moment), so waiting may cure it. */
export function isTransientPostgresError(error: unknown): boolean {
  const state = sqlStateOf(error);
  if (state !== undefined) return TRANSIENT_STATES.has(state) || state.startsWith('08');
  const code = (error as ServerError | null)?.code;
  if (typeof code === 'string' && TRANSIENT_SOCKET_CODES.has(code)) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(message);
}

/** Whether the server refused who we are (a wrong password, an unknown role or database): waiting cannot cure it. */
export function isAuthenticationFailure(error: unknown): boolean {
  const state = sqlStateOf(error);
  return state !== undefined && (state.startsWith('28') || state === '3D000');
}

/** The constraint and detail the server gave with `error`, when it did. */
export function serverDetails(error: unknown): { readonly constraint: string | undefined; readonly detail: string | undefined } {
  const { constraint, detail } = (error ?? {}) as ServerError;
  return { constraint: typeof constraint === 'string' ? constraint : undefined, detail: typeof detail === 'string' ? detail : undefined };
}
