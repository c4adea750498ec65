// The Go durations of applications and the organization: a duration that does not parse, or a
// negative one, is refused as a policy's session_duration is (src/engine/validate.ts).

import { parseGoDuration } from '../../engine/index.js';
import type { RequestIssue } from '../errors.js';

const NS_PER_HOUR = 3_600_000_000_000;

/** The issue with a duration field, if any; `minHours` is the shortest one Cloudflare accepts. */
export function durationIssue(value: string, pointer: string, example: string, minHours?: number): RequestIssue | undefined {
  const parsed = parseGoDuration(value);
  if (parsed === undefined) return { code: 'invalid_duration', pointer, message: `${JSON.stringify(value)} is not a duration; use Go syntax such as ${example}.` };
  if (parsed.ns < 0) return { code: 'invalid_duration', pointer, message: `${pointer.slice(1)} must not be negative, got ${JSON.stringify(value)}.` };
  if (minHours !== undefined && parsed.ns < minHours * NS_PER_HOUR) return { code: 'min_value', pointer, message: `${pointer.slice(1)} must be at least ${minHours}h, got ${JSON.stringify(value)}.` };
  return undefined;
}
