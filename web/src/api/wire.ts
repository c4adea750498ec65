// The engine's wire, rule-list and explanation types, re-exported for the dashboard.
export type { ClipboardFormat, Decision, MfaAuthenticator, RiskLevel, Selector, WireApprovalGroup, WireGroup, WirePolicy, WireRule } from '../../../src/engine/wire.js';
export type { RuleListName } from '../../../src/engine/rules.js';
export { DECISIONS, RISK_LEVELS } from '../../../src/engine/wire.js';
export type { Explanation } from '../../../src/engine/interpreter.js';
