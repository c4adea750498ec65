// Shapes of the API objects the dashboard reads, as the server answers them. Policy and rule
// bodies are the engine's own wire types, so the builder and the server cannot disagree.

import type { Decision, WireGroup, WirePolicy, WireRule } from '../../../src/engine/wire.js';
import type { Explanation } from '../../../src/engine/interpreter.js';

export type { Decision, WireGroup, WirePolicy, WireRule, Explanation };

interface Timestamps {
  readonly created_at?: string;
  readonly updated_at?: string;
}

export interface Policy extends WirePolicy, Timestamps {
  readonly id: string;
  readonly app_count: number;
  readonly reusable: boolean;
}

export interface Group extends WireGroup, Timestamps {
  readonly id: string;
}

export interface GatewayList extends Timestamps {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly description?: string;
  readonly count: number;
}

export interface ListItem {
  readonly value: string;
  readonly description?: string;
}

export interface IdentityProvider {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly config: Record<string, unknown>;
}

export interface ServiceToken {
  readonly id: string;
  readonly name: string;
  readonly client_id?: string;
}

export interface PostureRule {
  readonly id: string;
  readonly name: string;
  readonly type: string;
}

export interface AppPolicy extends WirePolicy {
  readonly id: string;
  readonly precedence: number;
  readonly reusable: boolean;
}

export interface App extends Timestamps {
  readonly id: string;
  readonly name?: string;
  readonly type: string;
  readonly domain?: string;
  readonly policies: AppPolicy[];
  readonly [field: string]: unknown;
}

export interface User extends Timestamps {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly access_seat: boolean;
  readonly last_successful_login: string | null;
}

/** A last seen identity (docs/semantics.md "Identity model"): free-form JSON with known fields. */
export type Identity = Record<string, unknown>;

export type TestStatus = 'blocked' | 'processing' | 'exceeded time' | 'complete';
export type UserStatus = 'approved' | 'blocked' | 'error';

export interface PolicyTestProgress {
  readonly id: string;
  readonly status: TestStatus;
  readonly total_users: number;
  readonly users_approved: number;
  readonly users_blocked: number;
  readonly users_errored: number;
  readonly percent_approved: number;
  readonly percent_blocked: number;
  readonly percent_errored: number;
  readonly percent_users_processed: number;
  readonly users_changed?: number;
  readonly reason?: string;
}

export interface PolicyTestUser {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly status: UserStatus;
  readonly baseline_status?: UserStatus;
  readonly changed?: boolean;
}

export interface PolicyTestUserExplained extends PolicyTestUser {
  readonly identity_changed: boolean;
  readonly explanation: Explanation;
  readonly baseline_explanation?: Explanation;
}

export interface WhatIfContext {
  ip?: string;
  country?: string;
  device_posture?: Record<string, boolean>;
  user_risk_score?: 'low' | 'medium' | 'high' | 'unscored';
  amr?: string[];
  identity_provider_id?: string;
}

export interface WhatIfResult {
  readonly status: 'approved' | 'blocked';
  readonly unknown: boolean;
  readonly decision: Decision | null;
  readonly deciding_policy: { index: number; id?: string; name: string; decision: Decision } | null;
  readonly summary: string;
  readonly identity: Identity;
  readonly explanation: Explanation;
}

/** A policy as a policy test or what-if takes it: a saved policy's id, or a whole policy. */
export type PolicyEntry = string | WirePolicy;
