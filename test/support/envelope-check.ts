// What every answer of the API must be, whatever was sent: below 500, JSON, Cloudflare's
// envelope (success; on failure at least one {code >= 1000, message} and a null result; on
// success no errors). Paths outside the API are the dashboard's (HTML and its assets): there
// only the status is checked. Returns the problems found, so a fuzzer can report them all.

import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { RawAnswer } from './raw-http.js';

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext resolution.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

/** Does a request path (as sent, possibly odd) address the API rather than the dashboard? */
export function isApiPath(path: string): boolean {
  const clean = path.split('?')[0].replace(/\/{2,}/g, '/');
  return clean.startsWith('/client/v4') || clean === '/healthz';
}

export function envelopeProblems(method: string, answer: RawAnswer, path = '/client/v4'): string[] {
  const problems: string[] = [];
  if (answer.status >= 500) problems.push(`status ${answer.status}`);
  if (!isApiPath(path) && answer.status < 400) return problems;
  const type = answer.headers['content-type'] ?? '';
  if (!/^application\/json(;|$)/.test(type)) problems.push(`content type ${JSON.stringify(type)}`);
  // A HEAD answer has the headers of a GET and no body.
  if (method === 'HEAD') return problems;
  let json: any;
  try {
    json = JSON.parse(answer.body.toString('utf8'));
  } catch {
    return [...problems, `body is not JSON: ${JSON.stringify(answer.body.subarray(0, 200).toString('utf8'))}`];
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return [...problems, 'body is not an object'];
  if (typeof json.success !== 'boolean') problems.push('no boolean "success"');
  if (!Array.isArray(json.errors)) problems.push('no "errors" array');
  if (!Array.isArray(json.messages)) problems.push('no "messages" array');
  if (json.success === true) {
    if (answer.status >= 300) problems.push(`success with status ${answer.status}`);
    if (Array.isArray(json.errors) && json.errors.length > 0) problems.push('success with errors');
  }
  if (json.success === false) {
    if (answer.status < 400) problems.push(`failure with status ${answer.status}`);
    if (json.result !== null) problems.push('failure with a non-null result');
    if (!Array.isArray(json.errors) || json.errors.length === 0) problems.push('failure without errors');
    for (const error of Array.isArray(json.errors) ? json.errors : []) {
      if (!Number.isInteger(error?.code) || error.code < 1000) problems.push(`error code ${JSON.stringify(error?.code)}`);
      if (typeof error?.message !== 'string' || error.message === '') problems.push(`error message ${JSON.stringify(error?.message)}`);
    }
  }
  return problems;
}

/**
 * Checks a success answer against the success answer the served OpenAPI document gives for
 * the operation that served it (found by method and path, since a fuzzed request may have been
 * bent to another route): the envelope and its `result` as documented.
 */
export function documentedAnswerChecker(operations: readonly DocumentedOperation[]): (method: string, path: string, answer: RawAnswer) => string[] {
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
  // As the server's router does, a literal segment wins over a parameter (users/identities is not users/{user_id}).
  const parameters = (template: string): number => template.split('{').length - 1;
  const routes = [...operations]
    .sort((a, b) => parameters(a.template) - parameters(b.template))
    .filter((op) => op.success !== undefined)
    .map((op) => ({
      method: op.method,
      re: new RegExp(`^/client/v4${op.template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}/?$`),
      validate: ajv.compile(op.success as object),
      operationId: op.operationId,
    }));
  return (method, path, answer) => {
    if (answer.status >= 300 || method === 'HEAD') return [];
    const clean = path.split(/[?#]/)[0];
    const route = routes.find((r) => r.method === method && r.re.test(clean));
    if (route === undefined) return [];
    let json: unknown;
    try {
      json = JSON.parse(answer.body.toString('utf8'));
    } catch {
      return [];
    }
    if (route.validate(json)) return [];
    return (route.validate.errors ?? []).map((e) => `${route.operationId} answers unlike its documented schema: ${e.instancePath || '(root)'} ${e.message ?? e.keyword}${e.keyword === 'additionalProperties' ? ` (${String(e.params.additionalProperty)})` : ''}`);
  };
}

export interface DocumentedOperation {
  readonly operationId: string;
  readonly method: string;
  readonly template: string;
  readonly success?: unknown;
}
