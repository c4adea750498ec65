// The rule builder: include / require / exclude sections of rules, each rule a selector from
// the engine's catalog with its fields generated from the catalog (text, formats, pickers of
// account objects, risk levels). Notes (errors, warnings) appear on the field they point at.

import { useEffect, useRef, useState } from 'preact/hooks';
import { SELECTORS, type FieldSpec, type SelectorSpec } from '../../../src/engine/selectors.js';
import { RISK_LEVELS, type RiskLevel, type RuleListName, type Selector } from '../api/wire.js';
import { ChoiceSet } from '../components/fields.js';
import { useApp, type References } from '../app-context.js';
import { FieldNotes, fieldId, notesId, useNotes } from '../components/notes.js';
import { useMissingLabel, useReferenceProblem } from '../components/reference-problem.js';
import { placeholderOf } from './labels.js';
import { emptyRule, specOf, withSelector, type FieldValue, type RuleDraft, type RuleSetDraft } from './model.js';

const SECTIONS: readonly { list: RuleListName; title: string; help: string }[] = [
  { list: 'include', title: 'Include', help: 'Users matching any of these rules. At least one is needed.' },
  { list: 'require', title: 'Require', help: 'Users must also match every one of these.' },
  { list: 'exclude', title: 'Exclude', help: 'Users matching any of these are left out.' },
];

const SELECTOR_GROUPS = [
  { label: 'Identity (needs a login)', selectors: SELECTORS.filter((s) => s.identity) },
  { label: 'Request, device and tokens', selectors: SELECTORS.filter((s) => !s.identity) },
];

interface Option {
  readonly value: string;
  readonly label: string;
}

/** The account objects a reference field may name (lists only of the type the selector needs). */
function referenceOptions(references: References, spec: SelectorSpec): Option[] {
  const kind = spec.reference?.kind;
  switch (kind) {
    case undefined:
      return [];
    case 'list': {
      const type = spec.reference?.listType;
      return references.list.filter((l) => l.type === type).map((l) => ({ value: l.id, label: `${l.name} (${l.count} entries)` }));
    }
    case 'identity_provider':
      return references.identity_provider.map((i) => ({ value: i.id, label: `${i.name} (${i.type})` }));
    case 'app':
      return references.app.map((a) => ({ value: a.id, label: a.name ?? a.domain ?? a.id }));
    default:
      return references[kind].map((o) => ({ value: o.id, label: o.name }));
  }
}

function RuleField({ spec, field, value, pointer, onChange }: { spec: SelectorSpec; field: FieldSpec; value: FieldValue; pointer: string; onChange: (value: FieldValue) => void }) {
  const { references } = useApp();
  const notes = useNotes(pointer);
  const id = fieldId(pointer);
  const label = field.label + (field.required ? '' : ' (optional)');
  const invalid = notes.some((n) => n.severity === 'error');
  const reference = spec.reference?.field === field.name;
  const problem = useReferenceProblem(reference ? spec.reference?.kind : undefined);
  const missing = useMissingLabel(spec.reference?.kind);
  const problemId = `${id}-references`;
  const described = [notes.length > 0 ? notesId(pointer) : undefined, problem !== undefined ? problemId : undefined].filter((d) => d !== undefined).join(' ') || undefined;

  if (field.format === 'risk_levels') {
    return <ChoiceSet label={label} pointer={pointer} options={RISK_LEVELS} chosen={(Array.isArray(value) ? value : []) as RiskLevel[]} onChange={onChange} />;
  }

  const text = typeof value === 'string' ? value : '';
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {reference ? (
        <select id={id} value={text} data-pointer={pointer} aria-invalid={invalid} aria-describedby={described} onChange={(e) => onChange(e.currentTarget.value)}>
          <option value="">Choose…</option>
          {referenceOptions(references, spec).map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
          {text !== '' && !referenceOptions(references, spec).some((o) => o.value === text) && <option value={text}>{text} ({missing})</option>}
        </select>
      ) : (
        <input
          id={id}
          type="text"
          value={text}
          placeholder={placeholderOf(field)}
          spellcheck={false}
          autocomplete="off"
          data-pointer={pointer}
          aria-invalid={invalid}
          aria-describedby={described}
          onInput={(e) => onChange(e.currentTarget.value)}
        />
      )}
      {problem !== undefined && (
        <p class="hint reference-problem" id={problemId}>
          {problem}
        </p>
      )}
      <FieldNotes id={notesId(pointer)} notes={notes} />
    </div>
  );
}

function RuleRow({
  rule,
  pointer,
  position,
  onChange,
  onRemove,
  autoFocus,
}: {
  rule: RuleDraft;
  pointer: string;
  position: string;
  onChange: (rule: RuleDraft) => void;
  onRemove: () => void;
  autoFocus: boolean;
}) {
  const spec = specOf(rule.selector);
  const selectorPointer = `${pointer}/${rule.selector}`;
  // Notes about the rule as a whole (or its selector object) rather than one field.
  const ruleNotes = [...useNotes(pointer, false), ...useNotes(selectorPointer, false)];
  const selectId = fieldId(pointer);
  const select = useRef<HTMLSelectElement>(null);
  useEffect(() => {
    if (autoFocus) select.current?.focus();
  }, [autoFocus]);
  return (
    <li class="rule" aria-label={position}>
      <div class="rule-head">
        <div class="field">
          <label for={selectId}>Selector</label>
          <select
            id={selectId}
            ref={select}
            value={rule.selector}
            data-pointer={pointer}
            aria-describedby={ruleNotes.length > 0 ? notesId(pointer) : undefined}
            onChange={(e) => onChange(withSelector(rule, e.currentTarget.value as Selector))}
          >
            {SELECTOR_GROUPS.map((group) => (
              <optgroup key={group.label} label={group.label}>
                {group.selectors.map((s) => (
                  <option key={s.selector} value={s.selector}>
                    {s.title}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </div>
        <button type="button" class="remove" onClick={onRemove} aria-label={`Remove ${position}`}>
          Remove
        </button>
      </div>
      <FieldNotes id={notesId(pointer)} notes={ruleNotes} />
      {spec.fields.length === 0 ? (
        <p class="hint">No settings: this selector needs nothing more.</p>
      ) : (
        <div class="rule-fields">
          {spec.fields.map((field) => (
            <RuleField
              key={field.name}
              spec={spec}
              field={field}
              value={rule.values[field.name] ?? ''}
              pointer={`${selectorPointer}/${field.name}`}
              onChange={(value) => onChange({ ...rule, values: { ...rule.values, [field.name]: value } })}
            />
          ))}
        </div>
      )}
    </li>
  );
}

function RuleSection({ list, title, help, rules, onChange }: { list: RuleListName; title: string; help: string; rules: readonly RuleDraft[]; onChange: (rules: RuleDraft[]) => void }) {
  const pointer = `/${list}`;
  const notes = useNotes(pointer, false);
  const [focusKey, setFocusKey] = useState<number | undefined>(undefined);
  const headingId = `section-${list}`;
  const add = (): void => {
    const rule = emptyRule('email');
    setFocusKey(rule.key);
    onChange([...rules, rule]);
  };
  return (
    <section class={`rule-section rule-section-${list}`} aria-labelledby={headingId} data-pointer={pointer} tabIndex={-1}>
      <h3 id={headingId}>{title}</h3>
      <p class="hint">{help}</p>
      <FieldNotes id={notesId(pointer)} notes={notes} />
      {rules.length > 0 && (
        <ol class="rules">
          {rules.map((rule, i) => (
            <RuleRow
              key={rule.key}
              rule={rule}
              pointer={`${pointer}/${i}`}
              position={`${title} rule ${i + 1}`}
              autoFocus={rule.key === focusKey}
              onChange={(next) => onChange(rules.map((r) => (r.key === rule.key ? next : r)))}
              onRemove={() => onChange(rules.filter((r) => r.key !== rule.key))}
            />
          ))}
        </ol>
      )}
      <button type="button" onClick={add}>
        Add {list} rule
      </button>
    </section>
  );
}

/** The three rule sections of a policy or an Access group. */
export function RuleBuilder<T extends RuleSetDraft>({ draft, onChange }: { draft: T; onChange: (draft: T) => void }) {
  return (
    <div class="rule-builder">
      {SECTIONS.map((s) => (
        <RuleSection key={s.list} {...s} rules={draft[s.list]} onChange={(rules) => onChange({ ...draft, [s.list]: rules })} />
      ))}
    </div>
  );
}
