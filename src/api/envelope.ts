// Cloudflare's v4 envelope: {success, errors, messages, result[, result_info]}.

import type { EnvelopeMessage } from './errors.js';
import type { ResultInfo } from './pagination.js';

export interface SuccessEnvelope {
  readonly success: true;
  readonly errors: [];
  readonly messages: readonly EnvelopeMessage[];
  readonly result: unknown;
  readonly result_info?: ResultInfo;
}

export interface FailureEnvelope {
  readonly success: false;
  readonly errors: readonly EnvelopeMessage[];
  readonly messages: [];
  readonly result: null;
}

export function success(result: unknown, messages: readonly EnvelopeMessage[] = [], info?: ResultInfo): SuccessEnvelope {
  return { success: true, errors: [], messages, result, ...(info !== undefined ? { result_info: info } : {}) };
}

export function failure(errors: readonly EnvelopeMessage[]): FailureEnvelope {
  return { success: false, errors, messages: [], result: null };
}
