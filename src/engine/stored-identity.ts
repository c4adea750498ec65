// How a user's last seen identity is stored: as sent, with the user's email when it has none.
// One rule for the API that stores it and for a dry run that predicts what an import would
// change (transfer/users.ts compares this text with the stored one).

type IdentityFields = Readonly<Record<string, unknown>>;

/** The email of the identity as stored (identityToStore): its own, or the user's when it has none. */
export function storedIdentityEmail(identity: IdentityFields, userEmail: string): string {
  return typeof identity.email === 'string' ? identity.email : userEmail;
}

/** identityToStore's result as the JSON text stored, without copying the identity first. */
export function storedIdentityJson(identity: IdentityFields, userEmail: string): string {
  const json = JSON.stringify(identity);
  if (typeof identity.email === 'string') return json;
  // The user's email goes last, where identityToStore's spread would put it.
  const email = `"email":${JSON.stringify(userEmail)}}`;
  return json === '{}' ? `{${email}` : `${json.slice(0, -1)},${email}`;
}

/** The identity to store: as sent, with the user's email when it has none. */
export function identityToStore(identity: IdentityFields, userEmail: string): Record<string, unknown> {
  return typeof identity.email === 'string' ? { ...identity } : { ...identity, email: userEmail };
}
