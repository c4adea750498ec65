// Assertions on refused requests, shared by the API tests.

import assert from 'node:assert/strict';

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly json: any;
}

export interface AnswerError {
  readonly code: number;
  readonly message: string;
  readonly pointer?: string;
}

/** The errors of a refused request, after checking its status, envelope and that the SDK is told not to retry. */
export function refusal(res: Answer, status: number): AnswerError[] {
  assert.equal(res.status, status, JSON.stringify(res.json));
  assert.equal(res.json.success, false);
  assert.equal(res.json.result, null);
  assert.equal(res.headers.get('x-should-retry'), 'false');
  return res.json.errors.map((e: any) => ({ code: e.code, message: e.message, ...(e.source !== undefined ? { pointer: e.source.pointer } : {}) }));
}

/** The [code, pointer] of each issue of a 400 answer, sorted. */
export function issues(res: Answer): [number, string][] {
  return refusal(res, 400)
    .map((e): [number, string] => [e.code, e.pointer ?? ''])
    .sort();
}
