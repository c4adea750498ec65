// A SCIM client of one identity provider's SCIM service, pushing as the identity provider would
// (bearer secret, application/scim+json), for tests of provisioning and of what it shows.

export interface ScimAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly json: any;
}

export type ScimClient = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<ScimAnswer>;

/** Requests to `baseUrl` (a provider's scim_base_url) with `secret` as the bearer token (none when undefined). */
export function scimClient(baseUrl: string, secret: string | undefined): ScimClient {
  return async (method, path, body, headers = {}) => {
    const res = await fetch(baseUrl + path, {
      method,
      headers: {
        ...(secret !== undefined ? { authorization: `Bearer ${secret}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: text === '' ? undefined : JSON.parse(text) };
  };
}
