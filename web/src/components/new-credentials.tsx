// Credentials a write just made, whose secret the server answers in that write only (it keeps a
// hash, or keeps it sealed): a panel that says so, each value with a Copy button, and the
// page's own way to use them (children). It comes into view and takes the focus when it
// appears, as it is the one chance to copy the secret.

import { Fragment, type ComponentChildren } from 'preact';
import { CopyButton } from './copy-button.js';
import { useReveal } from './common.js';

export interface Credential {
  /** "Client ID", "Client secret". */
  readonly term: string;
  readonly value: string;
  /** What Copy says for screen readers ("Copy the client secret"). */
  readonly copyLabel: string;
  /** The value's data-testid, for tests and the screenshots. */
  readonly testId: string;
}

export function NewCredentials({
  label,
  title,
  secret,
  notice,
  credentials,
  children,
}: {
  /** The region's accessible name ("OIDC client credentials"). */
  label: string;
  title: string;
  /** The secret shown once: a new one moves the panel into view again. */
  secret: string;
  /** Why to copy it now, after "The client secret is shown only now." */
  notice: ComponentChildren;
  credentials: readonly Credential[];
  children?: ComponentChildren;
}) {
  const panel = useReveal<HTMLElement>(secret);
  return (
    <section class="banner banner-warning new-credentials" role="region" aria-label={label} tabIndex={-1} ref={panel}>
      <h2>{title}</h2>
      <p>
        <strong>The client secret is shown only now.</strong> {notice}
      </p>
      <dl>
        {credentials.map((c) => (
          <Fragment key={c.testId}>
            <dt>{c.term}</dt>
            <dd>
              <code data-testid={c.testId}>{c.value}</code> <CopyButton text={c.value} label={c.copyLabel} />
            </dd>
          </Fragment>
        ))}
      </dl>
      {children}
    </section>
  );
}
