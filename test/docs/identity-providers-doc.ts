// The generated table of docs/identity-providers.md: which issuer each OpenID Connect provider
// type's config names, from the table the logins use (src/access/login/oidc-issuers.ts).

import { OIDC_ISSUERS } from '../../src/access/login/oidc-issuers.js';
import { replaceBlock, table } from './generated-block.js';

const BEGIN = '<!-- BEGIN GENERATED: oidc issuers (npm run docs) -->';
const END = '<!-- END GENERATED: oidc issuers -->';

function render(): string {
  const rows = Object.entries(OIDC_ISSUERS).map(([type, rule]) => [`\`${type}\``, rule.needs.map((f) => `\`${f}\``).join(', '), rule.issuer]);
  return `${BEGIN}\n${table(['type', 'config fields it needs', 'issuer (the ID token\'s iss)'], rows)}\n${END}`;
}

export function updateDoc(doc: string): string {
  return replaceBlock(doc, { begin: BEGIN, end: END, render }, 'docs/identity-providers.md');
}
