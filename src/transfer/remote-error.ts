// The error of an API that could not be reached, refused the credentials, or failed. Kept apart
// from the SDK (which takes half a second to load), so that commands can recognise it without
// loading the SDK.

/** `lines` say what happened, where, and what to check, one line each. */
export class RemoteError extends Error {
  constructor(readonly lines: readonly string[]) {
    super(lines.join('\n'));
    this.name = 'RemoteError';
  }
}
