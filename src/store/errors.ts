// Database failures that mean "cannot take this now" (worth a retry) rather than a bug:
// connection refused or lost, the server shutting down, SQLite busy past its timeout, and
// PostgreSQL's refusals of the moment (too many clients, a read-only standby, a lock not granted).

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'SQLITE_BUSY', 'SQLITE_LOCKED']);

/**
 * PostgreSQL SQLSTATEs of a statement refused or rolled back for the moment, nothing of it kept:
 * 57014 (cancelled, e.g. by statement_timeout), 25P03 (a session ended by
 * idle_in_transaction_session_timeout), 25006 (a read-only server, such as a standby during a
 * failover), 55P03 (a lock not granted in time), 40001 and 40P01 (a serialization failure, a
 * deadlock). Class 53 (insufficient resources: too many clients, disk full) is added below.
 */
const REFUSED_FOR_NOW = new Set(['57014', '25P03', '25006', '55P03', '40001', '40P01']);

const codeOf = (error: unknown): unknown => (typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined);

/** The message node-postgres fails a statement with when its answer did not come in time (its query_timeout). */
export const ANSWER_TIMEOUT_MESSAGE = 'Query read timeout';

/** Whether `error` is node-postgres giving up on an answer that did not come in time. */
export const isAnswerTimeout = (error: unknown): boolean => error instanceof Error && error.message === ANSWER_TIMEOUT_MESSAGE;

/**
 * Whether the connection to the database was lost or never answered: a statement sent on it may
 * or may not have been carried out. PostgreSQL SQLSTATE classes 08 (connection exception) and 57P
 * (operator intervention: shutdown), and node-postgres's own messages.
 */
export function isConnectionLost(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = codeOf(error);
  if (typeof code !== 'string') return isAnswerTimeout(error) || /Connection terminated|timeout exceeded when trying to connect/i.test(String((error as Error).message));
  return NETWORK_CODES.has(code) || code.startsWith('08') || code.startsWith('57P');
}

export function isStoreUnavailable(error: unknown): boolean {
  if (error instanceof CommitOutcomeUnknown) return true;
  const code = codeOf(error);
  return isConnectionLost(error) || (typeof code === 'string' && (REFUSED_FOR_NOW.has(code) || code.startsWith('53')));
}

/**
 * A transaction whose COMMIT was sent but whose answer never came (the connection was lost):
 * it may have been made. Told apart from "nothing was changed", so that a client does not
 * blindly send a create again and make it twice.
 */
export class CommitOutcomeUnknown extends Error {
  constructor(readonly lost: unknown) {
    super(`the connection was lost while the transaction was committed: ${lost instanceof Error ? lost.message : String(lost)}`);
  }
}
