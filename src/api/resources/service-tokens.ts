// Access service tokens: /accounts/{account_id}/access/service_tokens. A token is a client id
// and a secret that machines send instead of logging in. The secret is shown once (create and
// rotate) and stored only as its SHA-256 hash. `expires_at` (creation or refresh time plus the
// duration) is what the service-token selectors check when policies are evaluated.
//
// A rotation may keep the previous secret for a grace period (Cloudflare's
// previous_client_secret_expires_at): its hash is kept in the body as `previous_secret_hash`, a
// secret field (schema/secret-fields.ts: sealed at rest, redacted in the audit log, never
// answered), beside its expiry, which the answers show. Only one previous secret is kept: a second
// rotation ends the one before at once. The enforcement point reads both (access/decide.ts).

import { createHash, randomBytes } from 'node:crypto';
import { parseGoDuration } from '../../engine/index.js';
import type { ResourceRecord } from '../../store/store.js';
import { hashSecret } from '../auth/authenticate.js';
import { withoutSecrets } from '../../schema/secret-fields.js';
import { previousSecretUntil } from '../../schema/service-token-grace.js';
import { validationError } from '../errors.js';
import { DEFAULT_LIMITS } from '../pagination.js';
import type { RouteDef } from '../route.js';
import { bool, num, obj, str } from '../../schema/json-schema.js';
import { compact, durationIssue, timestamps } from './common.js';
import { changeRoute, crudRoutes, type Draft, type JsonResource } from './crud.js';

const DEFAULT_DURATION = '8760h';
/** Cloudflare's duration of a token that never expires. */
const FOREVER = 'forever';

type TokenBody = {
  readonly name: string;
  readonly client_id: string;
  readonly duration: string;
  /** A disabled token is kept but no rule accepts it. */
  readonly enabled: boolean;
  /** Counts the secrets the token has had (1 on creation, +1 per rotation). */
  readonly client_secret_version: number;
  /** Absent when the duration is "forever". */
  readonly expires_at?: string;
  /** While a rotation's grace period runs: until when the previous secret still works. */
  readonly previous_client_secret_expires_at?: string;
  /** The SHA-256 (hex) of the previous secret, beside its expiry; a secret field, never answered. */
  readonly previous_secret_hash?: string;
};

const NAME = str({ minLength: 1, description: 'The name of the service token.' });
const DURATION = str({ description: 'How long the token stays valid: a Go duration such as "300ms" or "2h45m" (units ns, us, µs, ms, s, m, h), or "forever".' });
const DURATION_ON_CREATE = { ...DURATION, default: DEFAULT_DURATION };
const ENABLED = bool('A disabled token is kept, but no policy accepts it until it is enabled again. Default true.');
const SECRET_VERSION = num({ minimum: 1, description: 'Counts the secrets the token has had: 1 on creation, one more per rotation.' });
const PREVIOUS_SECRET_EXPIRY = str({
  format: 'date-time',
  description:
    'RFC 3339: until when the previous client secret (and the application tokens made with it) keeps working beside the new one. Left out, or in the past, the previous secret stops at once. A rotation sets it; an update moves it while the grace period runs (into the past: ends it now).',
});

const TOKEN_FIELDS = {
  id: str({ description: 'The id of the service token.' }),
  name: NAME,
  client_id: str({ description: 'Sent in the CF-Access-Client-Id header: 32 hexadecimal characters and ".access".' }),
  duration: DURATION,
  enabled: ENABLED,
  client_secret_version: SECRET_VERSION,
  expires_at: str({ format: 'date-time', description: 'When the token stops being valid (the last create, refresh or duration change plus the duration); absent for "forever".' }),
  previous_client_secret_expires_at: str({ format: 'date-time', description: 'Present while a rotation\'s grace period runs: until when the previous client secret still works.' }),
  created_at: str({ format: 'date-time' }),
  updated_at: str({ format: 'date-time' }),
};

/** Older tokens may lack enabled and client_secret_version (read as true and 1); expires_at is absent for "forever". */
const ANSWERED = ['id', 'name', 'client_id', 'duration', 'created_at', 'updated_at'] as const;

const TOKEN = obj(TOKEN_FIELDS, { required: ANSWERED, description: 'A service token. Its client secret is never part of it.' });
const TOKEN_WITH_SECRET = obj(
  { ...TOKEN_FIELDS, client_secret: str({ description: 'Sent in the CF-Access-Client-Secret header. Shown in this answer only: it is stored as a hash and cannot be read again.' }) },
  { required: [...ANSWERED, 'client_secret'], description: 'A service token with its new client secret.' },
);

function checkedDuration(duration: string | undefined): string {
  const value = duration ?? DEFAULT_DURATION;
  const issue = value === FOREVER ? undefined : durationIssue(value, '/duration');
  if (issue !== undefined) throw validationError([issue]);
  return value;
}

/** `from` plus the duration, RFC 3339; undefined for "forever". */
function expiresAt(from: string, duration: string): string | undefined {
  if (duration === FOREVER) return undefined;
  return new Date(Date.parse(from) + parseGoDuration(duration)!.ns / 1e6).toISOString();
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `count` characters drawn uniformly from ALPHANUMERIC (bytes of 248 and up are drawn again, so no character is likelier). */
function randomAlphanumeric(count: number): string {
  let out = '';
  while (out.length < count) {
    for (const byte of randomBytes(count)) {
      if (byte < 248 && out.length < count) out += ALPHANUMERIC[byte % 62];
    }
  }
  return out;
}

/**
 * A new client secret in Cloudflare's format since 26 August 2026: `cfast_`, 40 random
 * alphanumeric characters (about 238 bits) and an 8-character checksum, which lets credential
 * scanners recognise a leaked secret. The checksum is the first 8 hexadecimal digits of the
 * SHA-256 of what precedes it. Secrets made before (64 hexadecimal characters) keep working: only
 * their hash is compared.
 */
export function newClientSecret(): string {
  const body = `cfast_${randomAlphanumeric(40)}`;
  return body + createHash('sha256').update(body, 'utf8').digest('hex').slice(0, 8);
}

function withNewSecret(body: TokenBody): Draft {
  const secret = newClientSecret();
  return { body: compact(body), secretHash: hashSecret(secret), once: { client_secret: secret } };
}

/** `body` without a previous secret. */
function withoutPrevious(body: TokenBody): TokenBody {
  const { previous_client_secret_expires_at: _expiry, previous_secret_hash: _hash, ...rest } = body;
  return rest;
}

/**
 * Until when (epoch ms) a requested `expiry` keeps the previous secret, or undefined when it ends
 * it now: left out, in the past, or unreadable (fails closed).
 */
function graceUntil(expiry: string | undefined, now: string): number | undefined {
  if (expiry === undefined) return undefined;
  const at = Date.parse(expiry);
  return at > Date.parse(now) ? at : undefined;
}

/**
 * A requested previous_client_secret_expires_at, RFC 3339 as the schema checked, in the form it
 * is stored and answered in; one the schema lets through but Date cannot read (a leap second,
 * "23:59:60Z") is refused rather than guessed at.
 */
function checkedPreviousExpiry(value: string): string {
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw validationError([{ code: 'invalid_format', pointer: '/previous_client_secret_expires_at', message: `Expected an RFC 3339 date-time that can be read, got ${JSON.stringify(value)}.` }]);
  return new Date(at).toISOString();
}

/** `body` with its previous secret kept only while its grace period still runs. */
function withLivePrevious(body: TokenBody, now: string): TokenBody {
  return previousSecretUntil(body, Date.parse(now)) !== undefined ? body : withoutPrevious(body);
}

const stored = (record: ResourceRecord): TokenBody => record.body as unknown as TokenBody;

const SERVICE_TOKENS: JsonResource = {
  kind: 'service_token',
  path: '/accounts/{account_id}/access/service_tokens',
  idParam: 'service_token_id',
  operationPrefix: 'access-service-tokens',
  tag: 'Access service tokens',
  one: 'a service token',
  many: 'service tokens',
  read: ['Access: Service Tokens Read'],
  write: ['Access: Service Tokens Write'],
  response: TOKEN,
  present: (record) => {
    const body = withoutSecrets('service_token', record.body);
    // The expiry shows while the grace period runs (the next write drops a previous secret whose
    // grace is over), and never without the previous secret's hash beside it.
    const shown = previousSecretUntil(record.body, Date.now()) !== undefined ? body : withoutPrevious(body as TokenBody);
    return { id: record.id, ...shown, ...timestamps(record) };
  },
};

export const serviceTokenRoutes: RouteDef[] = [
  ...crudRoutes(SERVICE_TOKENS, {
    list: { paging: DEFAULT_LIMITS, nameFilters: true },
    create: {
      status: 201,
      description: 'The answer is the only one that holds the client secret.',
      body: obj({ name: NAME, duration: DURATION_ON_CREATE, enabled: ENABLED, client_secret_version: SECRET_VERSION, previous_client_secret_expires_at: PREVIOUS_SECRET_EXPIRY }, { required: ['name'] }),
      result: TOKEN_WITH_SECRET,
      build: ({ name, duration, enabled }, { now }) => {
        const d = checkedDuration(duration);
        return withNewSecret({ name, client_id: `${randomBytes(16).toString('hex')}.access`, duration: d, enabled: enabled ?? true, client_secret_version: 1, expires_at: expiresAt(now, d) });
      },
    },
    update: {
      description:
        'Changes the name, the duration (a new duration counts from now) and whether the token is enabled (disabling it also ends the previous secret of a rotation\'s grace period, for good). The secret stays as it is. `previous_client_secret_expires_at` moves the end of a grace period that still runs: later, or into the past to end the previous secret now; a grace period that has ended does not come back.',
      body: obj({ name: NAME, duration: DURATION, enabled: ENABLED, client_secret_version: SECRET_VERSION, previous_client_secret_expires_at: PREVIOUS_SECRET_EXPIRY }),
      build: ({ name, duration, enabled, previous_client_secret_expires_at: previousExpiry }, existing, { now }) => {
        const old = withLivePrevious(stored(existing), now);
        const d = duration === undefined ? old.duration : checkedDuration(duration);
        const expires = d === old.duration ? old.expires_at : expiresAt(now, d);
        const asked = previousExpiry === undefined ? undefined : checkedPreviousExpiry(previousExpiry);
        // Without a previous secret (none kept, or its grace over) there is nothing to move.
        const moved = asked === undefined || old.previous_secret_hash === undefined ? old : withLivePrevious({ ...old, previous_client_secret_expires_at: asked }, now);
        const on = enabled ?? old.enabled ?? true;
        // Turning the token off ends its previous secret for good, as at Cloudflare.
        return { body: compact({ ...(on ? moved : withoutPrevious(moved)), name: name ?? old.name, duration: d, enabled: on, expires_at: expires }) };
      },
    },
    delete: { status: 200, answer: 'item', description: 'Answers with the deleted token. Refused (409) while a service_token rule of a policy or group names it.' },
  }),
  changeRoute(SERVICE_TOKENS, {
    action: 'rotate',
    summary: 'Rotate the secret of a service token',
    description:
      'Answers with a new client secret, shown this once. The old one stops being valid at once, unless `previous_client_secret_expires_at` is in the future: then it (and the application tokens made with it) keeps working until then, and the answer shows that time. Only one previous secret is kept: rotating again during a grace period ends the older one at once. A disabled token keeps none.',
    body: obj({ previous_client_secret_expires_at: PREVIOUS_SECRET_EXPIRY }),
    bodyRequired: false,
    result: TOKEN_WITH_SECRET,
    build: (input, existing, { now }) => {
      const old = withoutPrevious(stored(existing));
      const asked = input?.previous_client_secret_expires_at;
      const until = graceUntil(asked === undefined ? undefined : checkedPreviousExpiry(asked), now);
      const rotated = { ...old, client_secret_version: (old.client_secret_version ?? 1) + 1 };
      // A disabled token keeps no previous secret (disabling ends it for good): enabled again,
      // it takes only the new secret, not the one it was disabled with (say, because it leaked).
      if (until === undefined || existing.secretHash === null || old.enabled === false) return withNewSecret(rotated);
      return withNewSecret({ ...rotated, previous_client_secret_expires_at: new Date(until).toISOString(), previous_secret_hash: existing.secretHash });
    },
  }),
  changeRoute(SERVICE_TOKENS, {
    action: 'refresh',
    summary: 'Refresh a service token',
    description: 'Restarts the validity of the token: it now expires one duration from now. A "forever" token is unchanged.',
    build: (_input, existing, { now }) => {
      const old = withLivePrevious(stored(existing), now);
      return { body: compact({ ...old, expires_at: expiresAt(now, old.duration) }) };
    },
  }),
];
