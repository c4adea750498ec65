// The settings of each OpenID Connect identity provider as openid-client uses them (discovered
// from the issuer, or built from the endpoints its config names) and the key set its ID tokens are
// checked against, kept between sign-ins. docs/identity-providers.md "OpenID Connect".

import { isIP } from 'node:net';
import * as client from 'openid-client';
import { createRemoteJWKSet, customFetch as jwksFetch, type JWTVerifyGetKey } from 'jose';
import type { ResourceRecord } from '../../store/store.js';
import { oidcServer } from './oidc-issuers.js';
import { boundedFetch } from './bounded-fetch.js';

/** How long a discovered provider's metadata (and its key cache) is kept. */
const CONFIGURATION_TTL_MS = 60 * 60 * 1000;
/** Providers kept at once, across every account's. */
const MAX_KEPT_PROVIDERS = 1_000;

type Config = Record<string, unknown>;

/** Every request to a provider (discovery, keys, tokens, UserInfo) reads its answer up to a bound (bounded-fetch.ts). */
const providerFetch = boundedFetch();
export const configOf = (idp: ResourceRecord): Config => (idp.body.config !== null && typeof idp.body.config === 'object' ? (idp.body.config as Config) : {});

/** Plain http is only for a provider on this machine (tests, development); anything else must be https. */
function isLoopback(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || (isIP(host) === 4 && host.startsWith('127.')) || host === '::1';
}

/** A provider's settings as openid-client uses them, and the key set its ID tokens are checked against. */
export interface Provider {
  readonly configuration: client.Configuration;
  readonly keys: JWTVerifyGetKey;
}

interface Kept {
  /** The provider's version it was loaded for: an edited provider is loaded again. */
  readonly updatedAt: string;
  readonly at: number;
  readonly provider: Promise<Provider>;
}

export class ProviderConfigurations {
  /** By account and provider id; the map's order is the order of use, the longest unused first. */
  private readonly cache = new Map<string, Kept>();

  constructor(
    /**
     * Providers kept at most, the longest unused first out: a server of many accounts kept every
     * provider it had signed in with. One pushed out is loaded again on its next sign-in.
     */
    private readonly maxProviders = MAX_KEPT_PROVIDERS,
    private readonly load: (idp: ResourceRecord) => Promise<Provider> = loadProvider,
  ) {}

  get(idp: ResourceRecord, now: number): Promise<Provider> {
    const key = `${idp.accountId}/${idp.id}`;
    const cached = this.cache.get(key);
    this.cache.delete(key);
    if (cached !== undefined && cached.updatedAt === idp.updatedAt && now - cached.at < CONFIGURATION_TTL_MS) {
      this.cache.set(key, cached);
      return cached.provider;
    }
    const kept: Kept = { updatedAt: idp.updatedAt, at: now, provider: this.load(idp) };
    this.cache.set(key, kept);
    if (this.cache.size > this.maxProviders) this.cache.delete(this.cache.keys().next().value!);
    // A failure is not kept: the next sign-in tries again.
    kept.provider.catch(() => {
      if (this.cache.get(key) === kept) this.cache.delete(key);
    });
    return kept.provider;
  }

  /** Providers kept now. For tests. */
  get size(): number {
    return this.cache.size;
  }
}

export async function loadProvider(idp: ResourceRecord): Promise<Provider> {
  const configuration = await configure(idp);
  const jwksUri = configuration.serverMetadata().jwks_uri;
  if (jwksUri === undefined) throw new Error('the provider publishes no signing keys (jwks_uri)');
  return { configuration, keys: createRemoteJWKSet(new URL(jwksUri), { [jwksFetch]: providerFetch }) };
}

async function configure(idp: ResourceRecord): Promise<client.Configuration> {
  const config = configOf(idp);
  const server = oidcServer(String(idp.body.type), config);
  if ('error' in server) throw new Error(server.error);
  const clientId = String(config.client_id);
  const secret = typeof config.client_secret === 'string' && config.client_secret !== '' ? config.client_secret : undefined;
  const auth = secret === undefined ? client.None() : client.ClientSecretBasic(secret);
  const urls = [server.issuer, ...(server.endpoints === undefined ? [] : Object.values(server.endpoints))];
  const insecure = urls.every(isLoopback);
  if (server.endpoints === undefined) {
    // The fetch given here is the discovered configuration's too (tokens, UserInfo).
    return client.discovery(new URL(server.issuer), clientId, undefined, auth, { [client.customFetch]: providerFetch, ...(insecure ? { execute: [client.allowInsecureRequests] } : {}) });
  }
  const configuration = new client.Configuration(
    { issuer: server.issuer, authorization_endpoint: server.endpoints.authorization, token_endpoint: server.endpoints.token, jwks_uri: server.endpoints.jwks },
    clientId,
    undefined,
    auth,
  );
  configuration[client.customFetch] = providerFetch;
  if (insecure) client.allowInsecureRequests(configuration);
  return configuration;
}
