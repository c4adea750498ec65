// One decision explained: the summary sentence, which policy decided, then every policy and rule
// with its outcome and reason (expected and actual values), groups unfolded; the policies that
// did not decide folded. Rendered from the engine's explanation as the API answers it.

import { SELECTOR_SPECS } from '../../../src/engine/selectors.js';
import { policyMattered } from '../../../src/engine/explanation-focus.js';
import type { PolicyDifference } from '../../../src/engine/explanation-diff.js';
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

function PolicyBlock({ policy, deciding, mattered }: { policy: PolicyExplanation; deciding: boolean; mattered: boolean }) {
  const heading = (
    <>
      {policy.name} <DecisionBadge decision={policy.decision} /> <Outcome outcome={policy.outcome} />
      {deciding && <span class="badge badge-deciding">Decided</span>}
    </>
  );
  return (
    <section class={`explained-policy ${deciding ? 'deciding' : ''}`} aria-label={`Policy ${policy.name}`}>
      {policy.outcome === 'skipped' ? (
        <h3>{heading}</h3>
      ) : mattered ? (
        <>
          <h3>{heading}</h3>
          <RuleLists set={policy} level={0} />
        </>
      ) : (
        // A policy that did not decide stays folded: one line, its rules a click away.
        <details>
          <summary>
            <h3>{heading}</h3> <span class="hint">did not decide</span>
          </summary>
          <RuleLists set={policy} level={0} />
        </details>
      )}
    </section>
  );
}

const OUTCOME_WORDS: Record<string, string> = { matched: 'matched', not_matched: 'not matched', unknown: 'unknown', skipped: 'not evaluated' };
const word = (outcome: string | null): string => (outcome === null ? 'absent' : (OUTCOME_WORDS[outcome] ?? outcome));

/** The policies and rules that made the difference between the saved policies and the tested ones, as the CLI's diff prints them. */
export function DifferenceList({ differences }: { differences: readonly PolicyDifference[] }) {
  if (differences.length === 0) return <p class="hint">No policy changed its outcome for this user.</p>;
  return (
    <ul class="differences" aria-label="What made the difference">
      {differences.map((d) => {
        const decision = (d.after ?? d.before)!.decision;
        const change =
          d.before === null
            ? `added: ${word(d.after!.outcome)}`
            : d.after === null
              ? `removed: was ${word(d.before.outcome)}`
              : `${d.before.decision !== d.after.decision ? `decision ${d.before.decision} → ${d.after.decision}, ` : ''}${word(d.before.outcome)} → ${word(d.after.outcome)}`;
        return (
          <li key={`${d.id ?? ''}:${d.name}`}>
            <strong>{d.name}</strong> <DecisionBadge decision={decision} /> {change}
            {d.rules.length > 0 && (
              <ul>
                {d.rules.map((r, i) => (
                  <li key={i}>
                    {r.list} rule {SELECTOR_SPECS.get(Object.keys(r.rule)[0] as never)?.title ?? Object.keys(r.rule)[0]}:{' '}
                    {r.before === null ? 'added' : r.after === null ? 'removed' : `${word(r.before)} → ${word(r.after)}`} — {r.reason.message}
                  </li>
                ))}
              </ul>
            )}
          </li>
        );
      })}
    </ul>
  );
}

export function ExplanationView({ explanation }: { explanation: Explanation }) {
  const deciding = explanation.deciding;
  return (
    <div class="explanation">
      <p class={`verdict verdict-${explanation.access}`}>
        <strong>{ACCESS_LABELS[explanation.access] ?? explanation.access}</strong>
      </p>
      <p class="explanation-summary">{explanation.summary}</p>
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
        <PolicyBlock key={policy.pointer} policy={policy} deciding={deciding !== null && deciding.index === policy.index} mattered={policyMattered(explanation, policy)} />
      ))}
    </div>
  );
}
