// What-if: decide one identity (a user's last seen identity, or one pasted as JSON) against
// chosen policies or an application's, after changing the request context (IP, country,
// device posture, risk score, login), and show the decision with its explanation.

import { useState } from 'preact/hooks';
import type { Identity, WhatIfRequest, WhatIfResult } from '../api/operations.js';
import { useApp } from '../app-context.js';
import { ReferenceProblems } from '../components/reference-problem.js';
import { DecisionBadge, ErrorBanner, Loading, PageTitle, SearchBox, StatusBadge, useAsync } from '../components/common.js';
import { RadioGroup, Section, SelectField, TextField } from '../components/fields.js';
import { ExplanationView } from '../components/explanation.js';
import { FieldNotes, NotesProvider, NotesSummary, notesId, type Note } from '../components/notes.js';
import { PolicyPicker, chosenPolicies, type PolicyChoice } from '../components/policy-picker.js';
import { useSaveState } from '../components/save-state.js';
import { SubmitButton } from '../components/submit-button.js';
import { useLocation } from '../router.js';

type WhatIfContext = NonNullable<WhatIfRequest['context']>;

type IdentitySource = 'user' | 'identity';
type PolicySource = 'policies' | 'app';
type Tri = '' | 'pass' | 'fail';
const RISK = ['', 'low', 'medium', 'high', 'unscored'] as const;

interface ContextDraft {
  ip: string;
  country: string;
  risk: (typeof RISK)[number];
  amr: string;
  idp: string;
  posture: Record<string, Tri>;
}

function contextOf(draft: ContextDraft): WhatIfContext | undefined {
  const context: WhatIfContext = {};
  if (draft.ip.trim() !== '') context.ip = draft.ip.trim();
  if (draft.country.trim() !== '') context.country = draft.country.trim();
  if (draft.risk !== '') context.user_risk_score = draft.risk;
  const amr = draft.amr.split(',').map((a) => a.trim()).filter((a) => a !== '');
  if (amr.length > 0) context.amr = amr;
  if (draft.idp !== '') context.identity_provider_id = draft.idp;
  const posture = Object.entries(draft.posture).filter(([, v]) => v !== '');
  if (posture.length > 0) context.device_posture = Object.fromEntries(posture.map(([id, v]) => [id, v === 'pass']));
  return Object.keys(context).length > 0 ? context : undefined;
}

export function WhatIfPage() {
  const { api, draft, references } = useApp();
  const { query } = useLocation();
  const policies = useAsync(() => api.policies.all(), []);
  const [identitySource, setIdentitySource] = useState<IdentitySource>('user');
  const [userSearch, setUserSearch] = useState('');
  const users = useAsync(() => api.users.list({ search: userSearch, per_page: 50 }), [userSearch]);
  const [userId, setUserId] = useState('');
  const [identityText, setIdentityText] = useState('{\n  "email": "someone@example.com"\n}');
  const [policySource, setPolicySource] = useState<PolicySource>('policies');
  const [choice, setChoice] = useState<PolicyChoice>({ saved: [], useDraft: query.get('draft') === '1' && draft !== undefined });
  const [appId, setAppId] = useState('');
  const [context, setContext] = useState<ContextDraft>({ ip: '', country: '', risk: '', amr: '', idp: '', posture: {} });
  const [result, setResult] = useState<WhatIfResult | undefined>(undefined);
  const [parseNote, setParseNote] = useState<Note | undefined>(undefined);
  const request = useSaveState();

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (request.saving) return;
    setParseNote(undefined);
    const body: WhatIfRequest = {};
    if (identitySource === 'user') body.user_id = userId;
    else {
      try {
        body.identity = JSON.parse(identityText) as Identity;
      } catch (err) {
        setParseNote({ pointer: '/identity', message: `The identity is not valid JSON: ${(err as Error).message}`, severity: 'error' });
        return;
      }
    }
    if (policySource === 'app') body.app_id = appId;
    else body.policies = chosenPolicies(policies.data ?? [], choice, draft).entries;
    const ctx = contextOf(context);
    if (ctx !== undefined) body.context = ctx;
    setResult(await request.save(() => api.evaluate(body), ''));
  };

  const notes = parseNote !== undefined ? [parseNote] : request.notes;
  const userOptions = [{ value: '', label: 'Choose a user…' }, ...(users.data?.result ?? []).map((u) => ({ value: u.id, label: `${u.email}${u.name ? ` (${u.name})` : ''}` }))];
  return (
    <NotesProvider notes={notes}>
      <PageTitle>What-if</PageTitle>
      <p class="lead">Decide one identity against policies, after changing where and how the request comes in.</p>
      <form onSubmit={submit} noValidate class="what-if">
        <NotesSummary notes={notes} title="The evaluation was refused" />
        <Section title="Who">
          <RadioGroup
            label="Identity"
            pointer="/identity_source"
            value={identitySource}
            onChange={setIdentitySource}
            options={[
              { value: 'user', label: 'A user of the directory', hint: 'their last seen identity' },
              { value: 'identity', label: 'An identity pasted as JSON' },
            ]}
          />
          {identitySource === 'user' ? (
            <>
              <SearchBox label="Search users" value={userSearch} onSearch={setUserSearch} />
              <SelectField label="User" pointer="/user_id" value={userId} options={userOptions} onChange={setUserId} />
            </>
          ) : (
            <TextField label="Identity (JSON)" multiline pointer="/identity" value={identityText} onInput={setIdentityText} />
          )}
        </Section>
        <Section title="Policies">
          <RadioGroup
            label="Evaluate"
            pointer="/policy_source"
            value={policySource}
            onChange={setPolicySource}
            options={[
              { value: 'policies', label: 'Chosen policies' },
              { value: 'app', label: "An application's policies", hint: 'by precedence' },
            ]}
          />
          {policySource === 'app' && <ReferenceProblems kinds={['app']} />}
          {policySource === 'app' ? (
            <SelectField label="Application" pointer="/app_id" value={appId} options={[{ value: '', label: 'Choose an application…' }, ...references.app.map((a) => ({ value: a.id, label: a.name ?? a.id }))]} onChange={setAppId} />
          ) : policies.data === undefined ? (
            <Loading what="policies" />
          ) : (
            <PolicyPicker legend="Policies to evaluate" policies={policies.data} choice={choice} draft={draft} onChange={setChoice} />
          )}
          <FieldNotes id={notesId('/policies')} notes={notes.filter((n) => n.pointer.startsWith('/policies'))} />
        </Section>
        <Section title="Request context (leave empty to keep the identity's own)">
          <ReferenceProblems kinds={['identity_provider', 'posture_rule']} />
          <div class="grid">
            <TextField label="IP address" pointer="/context/ip" placeholder="192.0.2.7" value={context.ip} onInput={(v) => setContext({ ...context, ip: v })} />
            <TextField label="Country" pointer="/context/country" placeholder="US" value={context.country} onInput={(v) => setContext({ ...context, country: v })} />
            <SelectField
              label="User risk score"
              pointer="/context/user_risk_score"
              value={context.risk}
              options={RISK.map((r) => ({ value: r, label: r === '' ? 'Unchanged' : r }))}
              onChange={(v) => setContext({ ...context, risk: v as ContextDraft['risk'] })}
            />
            <TextField label="Authentication methods (comma-separated)" pointer="/context/amr" placeholder="pwd, mfa" value={context.amr} onInput={(v) => setContext({ ...context, amr: v })} />
            <SelectField
              label="Logged in through"
              pointer="/context/identity_provider_id"
              value={context.idp}
              options={[{ value: '', label: 'Unchanged' }, ...references.identity_provider.map((i) => ({ value: i.id, label: i.name }))]}
              onChange={(v) => setContext({ ...context, idp: v })}
            />
            {references.posture_rule.map((rule) => (
              <SelectField
                key={rule.id}
                label={`Device posture: ${rule.name}`}
                pointer={`/context/device_posture/${rule.id}`}
                value={context.posture[rule.id] ?? ''}
                options={[
                  { value: '', label: 'Unchanged' },
                  { value: 'pass', label: 'Passes' },
                  { value: 'fail', label: 'Fails' },
                ]}
                onChange={(v) => setContext({ ...context, posture: { ...context.posture, [rule.id]: v as Tri } })}
              />
            ))}
          </div>
        </Section>
        <ErrorBanner error={request.error} title="The evaluation failed" />
        <SubmitButton busy={request.saving} busyLabel="Evaluating…">
          Evaluate
        </SubmitButton>
      </form>
      {/* The live region is there before any result: screen readers announce what changes inside one, not one inserted already filled. */}
      <div aria-live="polite">
        {result !== undefined && (
          <section class="what-if-result" aria-labelledby="what-if-result">
            <h2 id="what-if-result">Decision</h2>
            <p>
              <StatusBadge status={result.status} /> {result.decision !== null && <DecisionBadge decision={result.decision} />}
              {result.unknown && <span class="hint"> Refused because a rule could not be decided (fail closed).</span>}
            </p>
            {result.explanation !== undefined ? (
              <ExplanationView explanation={result.explanation} />
            ) : (
              <p class="hint">{result.summary} The explanation and the identity are left out: reading them needs a permission that reads users.</p>
            )}
            {result.identity !== undefined && (
              <details>
                <summary>The identity as evaluated</summary>
                <pre class="json">{JSON.stringify(result.identity, null, 2)}</pre>
              </details>
            )}
          </section>
        )}
      </div>
    </NotesProvider>
  );
}
