// Access service tokens: /accounts/{account_id}/access/service_tokens. A token is a client id
// and a secret that machines send instead of logging in. The secret is shown once (create and
// rotate) and stored only as its SHA-256 hash. `expires_at` (creation or refresh time plus the
// duration) is what the service-token selectors check when policies are evaluated.

import { createHash, randomBytes } from 'node:crypto';
import { parseGoDuration } from '../../engine/index.js';
import type { ResourceRecord } from '../../store/store.js';
import { hashSecret } from '../auth/authenticate.js';
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
};

const NAME = str({ minLength: 1, description: 'The name of the service token.' });
const DURATION = str({ description: 'How long the token stays valid: a Go duration such as "300ms" or "2h45m" (units ns, us, µs, ms, s, m, h), or "forever".' });
const DURATION_ON_CREATE = { ...DURATION, default: DEFAULT_DURATION };
const ENABLED = bool('A disabled token is kept, but no policy accepts it until it is enabled again. Default true.');
const SECRET_VERSION = num({ minimum: 1, description: 'Counts the secrets the token has had: 1 on creation, one more per rotation.' });
const PREVIOUS_SECRET_EXPIRY = str({ format: 'date-time', description: 'Accepted for compatibility; portcullis keeps only the current secret, so the previous one stops working at once.' });

const TOKEN_FIELDS = {
  id: str({ description: 'The id of the service token.' }),
  name: NAME,
  client_id: str({ description: 'Sent in the CF-Access-Client-Id header: 32 hexadecimal characters and ".access".' }),
  duration: DURATION,
  enabled: ENABLED,
  client_secret_version: SECRET_VERSION,
  expires_at: str({ format: 'date-time', description: 'When the token stops being valid (the last create, refresh or duration change plus the duration); absent for "forever".' }),
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
  present: (record) => ({ id: record.id, ...record.body, ...timestamps(record) }),
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
      description: 'Changes the name, the duration (a new duration counts from now) and whether the token is enabled. The secret stays as it is.',
      body: obj({ name: NAME, duration: DURATION, enabled: ENABLED, client_secret_version: SECRET_VERSION, previous_client_secret_expires_at: PREVIOUS_SECRET_EXPIRY }),
      build: ({ name, duration, enabled }, existing, { now }) => {
        const old = stored(existing);
        const d = duration === undefined ? old.duration : checkedDuration(duration);
        const expires = d === old.duration ? old.expires_at : expiresAt(now, d);
        return { body: compact({ ...old, name: name ?? old.name, duration: d, enabled: enabled ?? old.enabled ?? true, expires_at: expires }) };
      },
    },
    delete: { status: 200, answer: 'item', description: 'Answers with the deleted token. Refused (409) while a service_token rule of a policy or group names it.' },
  }),
  changeRoute(SERVICE_TOKENS, {
    action: 'rotate',
    summary: 'Rotate the secret of a service token',
    description:
      'Answers with a new client secret, shown this once; the old one stops being valid. `previous_client_secret_expires_at` is accepted for compatibility but has no effect: portcullis keeps only the hash of the current secret.',
    body: obj({ previous_client_secret_expires_at: PREVIOUS_SECRET_EXPIRY }),
    bodyRequired: false,
    result: TOKEN_WITH_SECRET,
    build: (_input, existing) => {
      const old = stored(existing);
      return withNewSecret({ ...old, client_secret_version: (old.client_secret_version ?? 1) + 1 });
    },
  }),
  changeRoute(SERVICE_TOKENS, {
    action: 'refresh',
    summary: 'Refresh a service token',
    description: 'Restarts the validity of the token: it now expires one duration from now. A "forever" token is unchanged.',
    build: (_input, existing, { now }) => {
      const old = stored(existing);
      return { body: compact({ ...old, expires_at: expiresAt(now, old.duration) }) };
    },
  }),
];
