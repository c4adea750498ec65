// An API token's condition: the client IPs it may be used from,
// {"request_ip": {"in": [CIDRs], "not_in": [CIDRs]}}. Ranges are read by the engine's IP
// parser (docs/semantics.md, "IP addresses and ranges"), so an address decides the same here
// as in a policy. A condition is checked when the token is written (conditionIssues) and read
// again by the same rules on every request: one that cannot be read (written before the check
// existed, or by hand) allows no request.

import { IpSet, joinPointer, parseCidr, parseIp, quote, type Cidr } from '../../engine/index.js';
import type { RequestIssue } from '../errors.js';
import { isObject } from '../../engine/is-object.js';

const LISTS = ['in', 'not_in'] as const;

/** Why a condition (sent or stored) cannot be read; pointers start at `at`. Empty when it can. */
export function conditionIssues(condition: unknown, at: string): RequestIssue[] {
  if (!isObject(condition)) return [{ code: 'invalid_type', pointer: at, message: 'condition must be an object.' }];
  const issues: RequestIssue[] = [];
  for (const [key, requestIp] of Object.entries(condition)) {
    const pointer = joinPointer(at, key);
    if (key !== 'request_ip') {
      issues.push({ code: 'unknown_field', pointer, message: `${quote(key)} is not a condition this server knows; it knows request_ip.` });
    } else if (!isObject(requestIp)) {
      issues.push({ code: 'invalid_type', pointer, message: 'request_ip must be an object with "in" and/or "not_in" lists of CIDRs.' });
    } else {
      for (const [name, list] of Object.entries(requestIp)) issues.push(...cidrListIssues(name, list, joinPointer(pointer, name)));
    }
  }
  return issues;
}

function cidrListIssues(name: string, list: unknown, pointer: string): RequestIssue[] {
  if (!(LISTS as readonly string[]).includes(name)) return [{ code: 'unknown_field', pointer, message: `request_ip has "in" and "not_in", not ${quote(name)}.` }];
  if (!Array.isArray(list)) return [{ code: 'invalid_type', pointer, message: `${name} must be a list of CIDRs.` }];
  return list.flatMap((entry: unknown, i): RequestIssue[] =>
    typeof entry === 'string' && parseCidr(entry) !== undefined
      ? []
      : [{ code: 'invalid_cidr', pointer: joinPointer(pointer, i), message: `${quote(entry)} is not an IP address or CIDR (such as "192.0.2.0/24" or "2001:db8::/32").` }],
  );
}

/** Whether a request from `ip` meets the condition (null: none); a condition that cannot be read is never met. */
export function conditionAllows(condition: unknown, ip: string): boolean {
  if (condition === null || condition === undefined) return true;
  if (conditionIssues(condition, '').length > 0) return false;
  const requestIp = (condition as { request_ip?: { in?: string[]; not_in?: string[] } }).request_ip;
  if (requestIp === undefined) return true;
  const address = parseIp(ip);
  if (address === undefined) return false;
  const set = (list: readonly string[]) => new IpSet(list.map((text) => parseCidr(text) as Cidr));
  return (requestIp.in === undefined || set(requestIp.in).has(address)) && (requestIp.not_in === undefined || !set(requestIp.not_in).has(address));
}
