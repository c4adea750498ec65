import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Rule } from './rules.js';
import { CATALOGUE, SELECTORS, describeRule, reasonOutcome, referenceOf, ruleKey, templateFields } from './selectors.js';
import { parseRule } from './validate.js';
import type { Selector } from './wire.js';

function rule(wire: unknown): Rule {
  const r = parseRule(wire);
  if (!r.ok) assert.fail(JSON.stringify(r.issues));
  return r.value;
}

describe('the catalogue is consistent', () => {
  test('a reference names one of its selector\'s fields, and only list references carry a list type', () => {
    for (const s of SELECTORS) {
      if (s.reference === undefined) continue;
      assert.ok(s.fields.some((f) => f.name === s.reference!.field), s.selector);
      assert.equal(s.reference.listType !== undefined, s.reference.kind === 'list', s.selector);
    }
  });

  test('normalized keys are distinct within a selector, and not the rule\'s own kind or wire', () => {
    for (const s of SELECTORS) {
      const keys = s.fields.map((f) => f.key);
      assert.equal(new Set(keys).size, keys.length, s.selector);
      assert.ok(!keys.includes('kind') && !keys.includes('wire'), s.selector);
    }
  });

  test('a description names only its selector\'s fields', () => {
    for (const s of SELECTORS) {
      const names = s.fields.map((f) => f.name);
      for (const field of templateFields(s.describe)) assert.ok(names.includes(field), `${s.selector}: {${field}}`);
    }
  });

  test('what a field is compared with is among what its selector reads', () => {
    for (const s of SELECTORS) for (const f of s.fields) if (f.reads !== undefined) assert.ok(s.reads.includes(f.reads), `${s.selector}.${f.name}`);
  });

  test('every selector can match and can fail to match', () => {
    for (const s of SELECTORS) {
      const outcomes = new Set(Object.values(s.reasons));
      assert.ok(outcomes.has('matched'), s.selector);
      if (s.selector !== 'everyone') assert.ok(outcomes.has('not_matched'), s.selector);
    }
  });

  test('reasonOutcome knows a selector\'s own codes only', () => {
    assert.equal(reasonOutcome('email', 'email_missing'), 'not_matched');
    assert.equal(reasonOutcome('email_list', 'list_not_found'), 'unknown');
    assert.equal(reasonOutcome('email', 'list_not_found'), undefined);
    assert.equal(reasonOutcome('any_valid_service_token', 'service_token_mismatch'), undefined);
    assert.equal(reasonOutcome('email', 'toString'), undefined);
  });

  test('list selectors name the list type they need', () => {
    assert.equal(CATALOGUE.email_list.reference.listType, 'EMAIL');
    assert.equal(CATALOGUE.ip_list.reference.listType, 'IP');
  });
});

describe('rules in words (lint messages)', () => {
  // The descriptions lint gave before they moved into the catalogue.
  const CASES: [Selector, unknown, string][] = [
    ['group', { group: { id: 'g1' } }, 'Access group g1'],
    ['any_valid_service_token', { any_valid_service_token: {} }, 'any valid service token'],
    ['auth_context', { auth_context: { ac_id: 'c1', id: 'x', identity_provider_id: 'idp' } }, 'authentication context c1 of identity provider idp'],
    ['auth_method', { auth_method: { auth_method: 'mfa' } }, 'authentication method "mfa"'],
    ['azureAD', { azureAD: { id: 'az', identity_provider_id: 'idp' } }, 'Azure AD group az of identity provider idp'],
    ['certificate', { certificate: {} }, 'a valid client certificate'],
    ['common_name', { common_name: { common_name: 'svc' } }, 'certificate common name "svc"'],
    ['geo', { geo: { country_code: 'us' } }, 'country US'],
    ['device_posture', { device_posture: { integration_uid: 'p1' } }, 'device posture rule p1'],
    ['email_domain', { email_domain: { domain: '@Example.com' } }, 'email domain example.com'],
    ['email_list', { email_list: { id: 'l1' } }, 'email list l1'],
    ['email', { email: { email: 'A@Example.com' } }, 'email a@example.com'],
    ['everyone', { everyone: {} }, 'everyone'],
    ['external_evaluation', { external_evaluation: { evaluate_url: 'https://e.example/a', keys_url: 'https://e.example/k' } }, 'external evaluation at https://e.example/a'],
    ['github-organization', { 'github-organization': { identity_provider_id: 'idp', name: 'Acme' } }, 'GitHub organization "acme" of identity provider idp'],
    ['github-organization', { 'github-organization': { identity_provider_id: 'idp', name: 'Acme', team: 'Core' } }, 'GitHub organization "acme" team "core" of identity provider idp'],
    ['gsuite', { gsuite: { email: 'Eng@Example.com', identity_provider_id: 'idp' } }, 'Google Workspace group eng@example.com of identity provider idp'],
    ['login_method', { login_method: { id: 'idp' } }, 'login method idp'],
    ['ip_list', { ip_list: { id: 'l2' } }, 'IP list l2'],
    ['ip', { ip: { ip: '10.0.0.1/8' } }, 'IP range 10.0.0.0/8'],
    ['okta', { okta: { identity_provider_id: 'idp', name: 'Eng' } }, 'Okta group "Eng" of identity provider idp'],
    ['saml', { saml: { attribute_name: 'dept', attribute_value: 'eng', identity_provider_id: 'idp' } }, 'SAML attribute "dept" = "eng" of identity provider idp'],
    ['oidc', { oidc: { claim_name: 'lvl', claim_value: '5', identity_provider_id: 'idp' } }, 'OIDC claim "lvl" = "5" of identity provider idp'],
    ['service_token', { service_token: { token_id: 't1' } }, 'service token t1'],
    ['linked_app_token', { linked_app_token: { app_uid: 'a1' } }, 'linked app token of application a1'],
    ['user_risk_score', { user_risk_score: { user_risk_score: ['high', 'low'] } }, 'user risk score high or low'],
    ['cloudflare_account_member', { cloudflare_account_member: {} }, 'membership of a Cloudflare account'],
    ['cloudflare_account_member', { cloudflare_account_member: { account_id: 'acct' } }, 'membership of Cloudflare account acct'],
  ];

  test('every selector has a case', () => {
    assert.deepEqual(SELECTORS.map((s) => s.selector).filter((s) => !CASES.some(([c]) => c === s)), []);
  });

  for (const [selector, wire, words] of CASES) {
    test(`${selector}: ${words}`, () => assert.equal(describeRule(rule(wire)), words));
  }
});

describe('rule keys and references', () => {
  test('rules that test the same thing have the same key', () => {
    assert.equal(ruleKey(rule({ ip: { ip: '10.0.0.1/8' } })), ruleKey(rule({ ip: { ip: '10.0.0.0/8' } })));
    assert.equal(ruleKey(rule({ email: { email: 'A@x.com' } })), ruleKey(rule({ email: { email: 'a@X.com' } })));
    assert.equal(
      ruleKey(rule({ user_risk_score: { user_risk_score: ['low', 'high'] } })),
      ruleKey(rule({ user_risk_score: { user_risk_score: ['high', 'low'] } })),
    );
  });

  test('rules that differ in any field, or in their selector, have different keys', () => {
    const keys = [
      { okta: { identity_provider_id: 'a', name: 'Eng' } },
      { okta: { identity_provider_id: 'b', name: 'Eng' } },
      { okta: { identity_provider_id: 'a', name: 'eng' } },
      { 'github-organization': { identity_provider_id: 'a', name: 'eng' } },
      { 'github-organization': { identity_provider_id: 'a', name: 'eng', team: 'x' } },
      { email_list: { id: 'l' } },
      { ip_list: { id: 'l' } },
      { cloudflare_account_member: {} },
      { cloudflare_account_member: { account_id: 'null' } },
    ].map((w) => ruleKey(rule(w)));
    assert.equal(new Set(keys).size, keys.length);
  });

  test('referenceOf names the referenced object, its kind and the field naming it', () => {
    assert.deepEqual(referenceOf(rule({ email_list: { id: 'l1' } })), { field: 'id', kind: 'list', listType: 'EMAIL', id: 'l1' });
    assert.deepEqual(referenceOf(rule({ okta: { identity_provider_id: 'idp', name: 'x' } })), { field: 'identity_provider_id', kind: 'identity_provider', id: 'idp' });
    assert.equal(referenceOf(rule({ email: { email: 'a@x.com' } })), undefined);
  });
});
