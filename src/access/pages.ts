// The few HTML pages the enforcement point shows people: sign in (development login), signed
// out, forbidden. Every value put in a page is escaped.

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(title: string, body: string, refreshTo?: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">${refreshTo === undefined ? '' : `<meta http-equiv="refresh" content="0;url=${escapeHtml(refreshTo)}">`}<meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem;color:#1d1d1f}h1{font-size:1.4rem}label,input,button{display:block;width:100%;box-sizing:border-box}input{margin:.3rem 0 1rem;padding:.5rem}button{padding:.6rem;background:#f38020;color:#fff;border:0;border-radius:4px}.error{color:#b00020}a.provider{display:block;padding:.6rem;border:1px solid #d0d0d5;border-radius:4px;text-decoration:none;color:inherit;text-align:center}h2{font-size:1.1rem;margin-top:2rem}</style>
</head><body>${body}</body></html>`;
}

export function messagePage(title: string, message: string, link?: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p id="message">${escapeHtml(message)}</p>${link === undefined ? '' : `<p><a href="${escapeHtml(link)}">Continue</a></p>`}`);
}

/**
 * What a browser without a session gets when the proxy shows it the 401 answer itself (Envoy;
 * nginx and Caddy redirect): a page that goes on to sign in at once.
 */
export function signInRequiredPage(loginUrl: string): string {
  return page('Sign in required', `<h1>Sign in required</h1><p id="message">Sign in to continue.</p><p><a href="${escapeHtml(loginUrl)}">Continue</a></p>`, loginUrl);
}

export interface LoginChoice {
  readonly name: string;
  readonly href: string;
}

/**
 * The login page: the identity providers the application allows, each a link that starts its
 * sign-in, and the development login's form when it is enabled.
 */
export function loginPage(appName: string, redirectUrl: string, options: { readonly providers: readonly LoginChoice[]; readonly devLogin: boolean; readonly error?: string }): string {
  const providers = options.providers.map((p) => `<p><a class="provider" href="${escapeHtml(p.href)}">Sign in with ${escapeHtml(p.name)}</a></p>`).join('\n');
  const devForm = !options.devLogin
    ? ''
    : `<h2>Development login</h2>
<p>No password is asked. Never enable it where others can reach the server.</p>
<form method="post"><input type="hidden" name="redirect_url" value="${escapeHtml(redirectUrl)}">
<label for="email">Email</label><input id="email" name="email" type="email" required autofocus>
<label for="groups">Groups (comma-separated, optional)</label><input id="groups" name="groups">
<button type="submit">Sign in</button></form>`;
  const none = options.providers.length === 0 && !options.devLogin ? '<p id="message">No identity provider is set up for this application: ask its administrator.</p>' : '';
  return page(
    `Sign in to ${appName}`,
    `<h1>Sign in to ${escapeHtml(appName)}</h1>
${options.error === undefined ? '' : `<p class="error">${escapeHtml(options.error)}</p>`}${none}
${providers}
${devForm}`,
  );
}

/** A page of one form (a one-time PIN's email or code), posting `fields` back with what is typed. */
export function formPage(title: string, intro: string, action: string, hidden: Readonly<Record<string, string>>, input: { readonly name: string; readonly label: string; readonly type: string; readonly autocomplete?: string }, error?: string): string {
  const hiddenInputs = Object.entries(hidden).map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`).join('');
  return page(
    title,
    `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(intro)}</p>
${error === undefined ? '' : `<p class="error">${escapeHtml(error)}</p>`}
<form method="post" action="${escapeHtml(action)}">${hiddenInputs}
<label for="${escapeHtml(input.name)}">${escapeHtml(input.label)}</label><input id="${escapeHtml(input.name)}" name="${escapeHtml(input.name)}" type="${escapeHtml(input.type)}"${input.autocomplete === undefined ? '' : ` autocomplete="${escapeHtml(input.autocomplete)}"`} required autofocus>
<button type="submit">Continue</button></form>`,
  );
}

/** What a test of an identity provider produced: the identity a real sign-in would record. */
export function testResultPage(providerName: string, identity: unknown): string {
  return page(
    `Test of ${providerName}`,
    `<h1>${escapeHtml(providerName)} works</h1><p>A sign-in through it would record this identity (nothing was recorded, no session was made):</p>
<pre id="identity" style="white-space:pre-wrap;background:#f5f5f7;padding:1rem;border-radius:4px">${escapeHtml(JSON.stringify(identity, null, 2))}</pre>`,
  );
}
