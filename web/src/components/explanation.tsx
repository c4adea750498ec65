// One decision explained: which policy decided, then every policy and rule with its outcome
// and reason (expected and actual values), groups unfolded. Rendered from the engine's
// explanation as the API answers it.

import { SELECTOR_SPECS } from '../../../src/engine/selectors.js';
import type { Explanation } from '../api/wire.js';
import type { GroupExplanation, PolicyExplanation, RuleExplanation, RuleSetExplanation } from '../../../src/engine/interpreter.js';
import { DecisionBadge } from './common.js';

const OUTCOME_LABELS: Record<string, string> = { matched: 'Matched', not_matched: 'Not matched', unknown: 'Unknown', skipped: 'Not evaluated' };
const ACCESS_LABELS: Record<string, string> = { granted: 'Access granted', blocked: 'Access blocked', unknown: 'Undecided (error)' };

function Outcome({ outcome }: { outcome: string }) {
  return <span class={`outcome outcome-${outcome}`}>{OUTCOME_LABELS[outcome] ?? outcome}</span>;
}

const show = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

function Rule({ rule, level }: { rule: RuleExplanation; level: number }) {
  const title = SELECTOR_SPECS.get(rule.selector)?.title ?? rule.selector;
  return (
    <li class={`explained-rule outcome-row-${rule.outcome}`} data-selector={rule.selector}>
      <div class="explained-rule-head">
        <Outcome outcome={rule.outcome} /> <strong>{title}</strong> <code class="pointer">{rule.pointer}</code>
      </div>
      <p class="reason">
        {rule.reason.message} <code class="reason-code">{rule.reason.code}</code>
      </p>
      {(rule.reason.expected !== undefined || rule.reason.actual !== undefined) && (
        <dl class="values">
          {rule.reason.expected !== undefined && (
            <>
              <dt>Expected</dt>
              <dd>{show(rule.reason.expected)}</dd>
            </>
          )}
          {rule.reason.actual !== undefined && (
            <>
              <dt>Actual</dt>
              <dd>{show(rule.reason.actual)}</dd>
            </>
          )}
        </dl>
      )}
      {rule.group !== undefined && <Group group={rule.group} level={level + 1} />}
    </li>
  );
}

function RuleLists({ set, level }: { set: RuleSetExplanation; level: number }) {
  const lists = (['include', 'require', 'exclude'] as const).filter((l) => set[l].length > 0);
  return (
    <>
      {lists.map((list) => (
        <div key={list} class="explained-list">
          <p class="list-name">{list[0].toUpperCase() + list.slice(1)}</p>
          <ul>
            {set[list].map((rule) => (
              <Rule key={rule.pointer} rule={rule} level={level} />
            ))}
          </ul>
        </div>
      ))}
    </>
  );
}

function Group({ group, level }: { group: GroupExplanation; level: number }) {
  return (
    <div class="explained-group">
      <p>
        Group <strong>{group.name}</strong>: <Outcome outcome={group.outcome} />
      </p>
      <RuleLists set={group} level={level} />
    </div>
  );
}

function PolicyBlock({ policy, deciding }: { policy: PolicyExplanation; deciding: boolean }) {
  return (
    <section class={`explained-policy ${deciding ? 'deciding' : ''}`} aria-label={`Policy ${policy.name}`}>
      <h3>
        {policy.name} <DecisionBadge decision={policy.decision} /> <Outcome outcome={policy.outcome} />
        {deciding && <span class="badge badge-deciding">Decided</span>}
      </h3>
      {policy.outcome !== 'skipped' && <RuleLists set={policy} level={0} />}
    </section>
  );
}

export function ExplanationView({ explanation }: { explanation: Explanation }) {
  const deciding = explanation.deciding;
  return (
    <div class="explanation">
      <p class={`verdict verdict-${explanation.access}`}>
        <strong>{ACCESS_LABELS[explanation.access] ?? explanation.access}</strong>
      </p>
      <p class="deciding-policy">
        {deciding === null ? (
          'No policy matched, so access is blocked by default.'
        ) : (
          <>
            Deciding policy: <strong>{deciding.name}</strong> <DecisionBadge decision={deciding.decision} />
          </>
        )}
      </p>
      {explanation.policies.map((policy) => (
        <PolicyBlock key={policy.pointer} policy={policy} deciding={deciding !== null && deciding.index === policy.index} />
      ))}
    </div>
  );
}
