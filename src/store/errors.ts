// Database failures that mean "not reachable right now" (worth a retry) rather than a bug:
// connection refused or lost, the server shutting down, SQLite busy past its timeout.

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'SQLITE_BUSY', 'SQLITE_LOCKED']);

export function isStoreUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return /Connection terminated|timeout exceeded when trying to connect|Query read timeout/i.test(String((error as Error).message));
  // PostgreSQL SQLSTATE classes 08 (connection exception), 57P (operator intervention:
  // shutdown), 57014 (a statement cancelled, e.g. by statement_timeout) and 25P03 (a session
  // ended by idle_in_transaction_session_timeout: its transaction was rolled back).
  return NETWORK_CODES.has(code) || code.startsWith('08') || code.startsWith('57P') || code === '57014' || code === '25P03';
}
