// SCIM's error answers (RFC 7644 §3.12): the Error message schema, the HTTP status as a string,
// and a scimType keyword when the status is 400 (or 409 for uniqueness).

export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** RFC 7644's detail error keywords. */
export type ScimType = 'invalidFilter' | 'tooMany' | 'uniqueness' | 'mutability' | 'invalidSyntax' | 'invalidPath' | 'noTarget' | 'invalidValue' | 'invalidVers' | 'sensitive';

export class ScimError extends Error {
  constructor(
    readonly status: number,
    readonly scimType: ScimType | undefined,
    message: string,
    /** Extra answer headers (WWW-Authenticate on a 401). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ScimError';
  }

  /** The answer's body. */
  body(): Record<string, unknown> {
    return { schemas: [ERROR_SCHEMA], status: String(this.status), ...(this.scimType !== undefined ? { scimType: this.scimType } : {}), detail: this.message };
  }
}

export const badRequest = (scimType: ScimType, message: string): ScimError => new ScimError(400, scimType, message);
export const notFound = (message: string): ScimError => new ScimError(404, undefined, message);
export const conflict = (message: string): ScimError => new ScimError(409, 'uniqueness', message);
