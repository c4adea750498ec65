// A rotated service token's previous secret, kept for a grace period
// (previous_client_secret_expires_at; docs/enforcement.md "Rotating a service token's secret"):
// one rule for the API, which keeps and shows it, and the enforcement point, which accepts it.

/**
 * Until when (epoch ms) a service token's previous secret still works, given its body; undefined
 * when it has none or its grace period is over. Fails closed: an expiry that cannot be read, or
 * one without the previous secret's hash beside it, is over.
 */
export function previousSecretUntil(body: Readonly<Record<string, unknown>>, now: number): number | undefined {
  if (typeof body.previous_secret_hash !== 'string' || typeof body.previous_client_secret_expires_at !== 'string') return undefined;
  const at = Date.parse(body.previous_client_secret_expires_at);
  return at > now ? at : undefined;
}
