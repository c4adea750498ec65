// The few HTML pages the enforcement point shows people: sign in (development login), signed
// out, forbidden. Every value put in a page is escaped.

import { createHash } from 'node:crypto';

/** The one script of the pages: the repost page's form submitting itself (repostPage). */
const REPOST_SCRIPT = "document.getElementById('repost').submit()";
const scriptHash = (script: string): string => `'sha256-${createHash('sha256').update(script).digest('base64')}'`;

/**
 * The Content-Security-Policy of every page here: no script but the repost page's own (by its
 * hash), so that a script that ever got into a page's text would not run; styles inline (the
 * pages carry theirs); images from the server, any https address (an organization's logo, the
 * App Launcher's images) or data:; nothing else fetched, no <base>, no plugins, never framed.
 * Forms are not limited (no form-action): a browser checks form-action against every redirect
 * after the post too, and a sign-in's post ends at whichever application host it is for.
 */
export const PAGE_CONTENT_SECURITY_POLICY = `default-src 'none'; script-src ${scriptHash(REPOST_SCRIPT)}; style-src 'unsafe-inline'; img-src 'self' https: data:; base-uri 'none'; object-src 'none'; frame-ancestors 'none'`;

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const BASE_STYLE =
  'body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem;color:#1d1d1f}h1{font-size:1.4rem}label,input,button{display:block;width:100%;box-sizing:border-box}input{margin:.3rem 0 1rem;padding:.5rem}button{padding:.6rem;background:#f38020;color:#fff;border:0;border-radius:4px}.error{color:#b00020}a.provider{display:block;padding:.6rem;border:1px solid #d0d0d5;border-radius:4px;text-decoration:none;color:inherit;text-align:center}h2{font-size:1.1rem;margin-top:2rem}';

/** A page; with `refresh`, the browser goes to its `url` after `seconds`. */
function page(title: string, body: string, refresh?: { readonly url: string; readonly seconds: number }, style = BASE_STYLE): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">${refresh === undefined ? '' : `<meta http-equiv="refresh" content="${refresh.seconds};url=${escapeHtml(refresh.url)}">`}<meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title>
<style>${style}</style>
</head><body>${body}</body></html>`;
}

export function messagePage(title: string, message: string, link?: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p id="message">${escapeHtml(message)}</p>${link === undefined || link === '' ? '' : `<p><a href="${escapeHtml(link)}">Continue</a></p>`}`);
}

/**
 * The auth domain's refusal of a signed-in user (login/flow.ts refuseAtSignIn): the application's
 * words, who is signed in, and a way to sign in as someone else.
 */
export function refusedPage(message: string, email: string | undefined, signOutUrl: string): string {
  const who = email === undefined ? '' : `<p id="who">Signed in as ${escapeHtml(email)}.</p>`;
  return page('Forbidden', `<h1>Forbidden</h1><p id="message">${escapeHtml(message)}</p>${who}<p><a id="sign-out" href="${escapeHtml(signOutUrl)}">Sign out, to sign in with another account</a></p>`);
}

/**
 * What a browser without a session gets when the proxy shows it the 401 answer itself (Envoy;
 * nginx and Caddy redirect): a page that goes on to sign in at once.
 */
export function signInRequiredPage(loginUrl: string): string {
  return page('Sign in required', `<h1>Sign in required</h1><p id="message">Sign in to continue.</p><p><a href="${escapeHtml(loginUrl)}">Continue</a></p>`, { url: loginUrl, seconds: 0 });
}

export interface LoginChoice {
  readonly name: string;
  readonly href: string;
}

/**
 * The login page: the identity providers the application allows, each a link that starts its
 * sign-in, and the development login's form when it is enabled.
 */
/**
 * The organization's login page design (its name and login_design: Cloudflare's background_color,
 * text_color, logo_path, header_text and footer_text), as given: only plain colours and an https
 * logo are used.
 */
export interface LoginDesign {
  readonly organizationName?: unknown;
  readonly design?: unknown;
}

/** The style and the header and footer a login design adds to the login page. */
function loginDesignParts(d: LoginDesign): { style: string; header: string; footer: string } {
  const design = fieldsOf(d.design);
  const background = plainColor(design.background_color);
  const color = plainColor(design.text_color);
  const logo = webUrl(design.logo_path, true);
  const name = textOf(d.organizationName);
  const headerText = textOf(design.header_text);
  const footerText = textOf(design.footer_text);
  return {
    style: `${BASE_STYLE}${background !== undefined ? `html{background:${background}}` : ''}${color !== undefined ? `body{color:${color}}` : ''}`,
    header: `${logo !== undefined ? `<img id="login-logo" src="${escapeHtml(logo)}" alt="" style="max-width:100%;max-height:4rem">` : ''}${name !== undefined ? `<p id="organization">${escapeHtml(name)}</p>` : ''}${headerText !== undefined ? `<p id="header-text">${escapeHtml(headerText)}</p>` : ''}`,
    footer: footerText !== undefined ? `<footer id="footer-text" style="margin-top:2rem;font-size:.85rem">${escapeHtml(footerText)}</footer>` : '',
  };
}

export function loginPage(appName: string, redirectUrl: string, options: { readonly providers: readonly LoginChoice[]; readonly devLogin: boolean; readonly error?: string; readonly design?: LoginDesign; readonly appSession?: string }): string {
  const providers = options.providers.map((p) => `<p><a class="provider" href="${escapeHtml(p.href)}">Sign in with ${escapeHtml(p.name)}</a></p>`).join('\n');
  const devForm = !options.devLogin
    ? ''
    : `<h2>Development login</h2>
<p>No password is asked. Never enable it where others can reach the server.</p>
<form method="post"><input type="hidden" name="redirect_url" value="${escapeHtml(redirectUrl)}">${options.appSession === undefined ? '' : `<input type="hidden" name="app_session" value="${escapeHtml(options.appSession)}">`}
<label for="email">Email</label><input id="email" name="email" type="email" required autofocus>
<label for="groups">Groups (comma-separated, optional)</label><input id="groups" name="groups">
<button type="submit">Sign in</button></form>`;
  const none = options.providers.length === 0 && !options.devLogin ? '<p id="message">No identity provider is set up for this application: ask its administrator.</p>' : '';
  const design = loginDesignParts(options.design ?? {});
  return page(
    `Sign in to ${appName}`,
    `${design.header}<h1>Sign in to ${escapeHtml(appName)}</h1>
${options.error === undefined ? '' : `<p class="error">${escapeHtml(options.error)}</p>`}${none}
${providers}
${devForm}${design.footer}`,
    undefined,
    design.style,
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

/**
 * A form that posts `fields` to `action` again, from this page's own site, at once (a button
 * without scripts): how a SAML answer posted from the provider's site comes back with the sign-in
 * cookie a cross-site POST leaves behind.
 */
export function repostPage(action: string, fields: Readonly<Record<string, string>>): string {
  const hiddenInputs = Object.entries(fields).map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`).join('');
  return page('Signing in', `<h1>Signing in</h1><form id="repost" method="post" action="${escapeHtml(action)}">${hiddenInputs}<button type="submit">Continue</button></form><script>${REPOST_SCRIPT}</script>`);
}

/** The purpose-justification step of a sign-in: the policy's prompt and a box for the user's reason. */
export function justificationPage(appName: string, prompt: string, action: string, maxLength: number, options: { readonly error?: string; readonly written?: string; readonly approval?: true } = {}): string {
  const title = `Access to ${appName}`;
  return page(
    title,
    `<h1>${escapeHtml(title)}</h1>${options.approval === true ? '<p id="approval-note">An approver decides whether you may enter, and for how long: your answer goes to them with your request.</p>' : ''}<p id="prompt">${escapeHtml(prompt)}</p>
${options.error === undefined ? '' : `<p class="error">${escapeHtml(options.error)}</p>`}
<form method="post" action="${escapeHtml(action)}">
<label for="justification">Justification</label><textarea id="justification" name="justification" rows="4" maxlength="${maxLength}" required autofocus style="display:block;width:100%;box-sizing:border-box;margin:.3rem 0 1rem;padding:.5rem">${escapeHtml(options.written ?? '')}</textarea>
<button type="submit">Continue</button></form>`,
  );
}

/** A design object's fields as given (landing_page_design, login_design): an object, else none. */
const fieldsOf = (design: unknown): Record<string, unknown> => (design !== null && typeof design === 'object' ? (design as Record<string, unknown>) : {});
/** A design's text, when it has any. */
const textOf = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value : undefined);

/**
 * The App Launcher's landing page: shown before the sign-in, with a button that starts it, as its
 * landing_page_design sets it (title, message, image_url, button_color, button_text_color; only
 * plain colours and an https image are used).
 */
export function launcherLandingPage(landingDesign: unknown, signInUrl: string): string {
  const design = fieldsOf(landingDesign);
  const title = textOf(design.title) ?? 'Welcome';
  const message = textOf(design.message);
  const image = webUrl(design.image_url, true);
  const buttonColor = plainColor(design.button_color);
  const buttonTextColor = plainColor(design.button_text_color);
  const button = [buttonColor !== undefined ? `background:${buttonColor}` : '', buttonTextColor !== undefined ? `color:${buttonTextColor}` : ''].filter((x) => x !== '').join(';');
  return page(
    title,
    `${image !== undefined ? `<img id="landing-image" src="${escapeHtml(image)}" alt="" style="max-width:100%;max-height:8rem">` : ''}<h1>${escapeHtml(title)}</h1>${message !== undefined ? `<p id="message">${escapeHtml(message)}</p>` : ''}
<p><a id="sign-in" class="provider" href="${escapeHtml(signInUrl)}" style="background:#f38020;color:#fff;border:0${button !== '' ? `;${button}` : ''}">Sign in</a></p>`,
  );
}

/**
 * The requester's page while approvers decide: it looks again every 10 seconds (`refreshPath`)
 * and gives the approval link to pass on to an approver by hand.
 */
export function waitingPage(appName: string, approvalLink: string, refreshPath: string): string {
  return page(
    'Waiting for approval',
    `<h1>Waiting for approval</h1><p id="message">Your request for access to ${escapeHtml(appName)} was sent to its approvers. This page goes on to the application once they approve it.</p>
<p>You can also give an approver this link:</p><p><input id="approval-link" readonly value="${escapeHtml(approvalLink)}" aria-label="Approval link"></p>`,
    { url: refreshPath, seconds: 10 },
  );
}

export interface ApprovalPageOptions {
  readonly requester: string;
  readonly appName: string;
  readonly host: string;
  readonly prompt: string;
  readonly justification: string;
  readonly askedAt: string;
  readonly action: string;
  readonly choices: readonly { readonly seconds: number; readonly label: string }[];
  /** This approver's answer, when given. */
  readonly answered?: 'approved' | 'denied';
  /** The request no longer waits (decided by others, or expired). */
  readonly closed?: 'approved' | 'denied' | 'expired';
}

/** An approver's view of an access request: who asks, for what and why, and the answer to give. */
export function approvalPage(o: ApprovalPageOptions): string {
  const title = `Access request for ${o.appName}`;
  const status =
    o.answered !== undefined
      ? `<p id="status">You have ${o.answered} this request.</p>`
      : o.closed !== undefined
        ? `<p id="status">This request is no longer waiting: ${o.closed === 'expired' ? 'it expired' : `it was ${o.closed}`}.</p>`
        : `<form method="post" action="${escapeHtml(o.action)}">
<label for="duration">Grant access for</label><select id="duration" name="duration" style="display:block;width:100%;margin:.3rem 0 1rem;padding:.5rem">${o.choices.map((c, i) => `<option value="${c.seconds}"${i === 1 ? ' selected' : ''}>${escapeHtml(c.label)}</option>`).join('')}</select>
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny" style="margin-top:.5rem;background:#6e6e73">Deny</button></form>`;
  return page(
    title,
    `<h1>${escapeHtml(title)}</h1>
<dl><dt>Who</dt><dd id="requester">${escapeHtml(o.requester)}</dd><dt>Application</dt><dd>${escapeHtml(o.appName)} (${escapeHtml(o.host)})</dd><dt>Asked</dt><dd><time datetime="${escapeHtml(o.askedAt)}">${escapeHtml(o.askedAt.slice(0, 19).replace('T', ' '))} UTC</time></dd><dt>${escapeHtml(o.prompt)}</dt><dd id="justification">${escapeHtml(o.justification)}</dd></dl>
${status}`,
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

export interface LauncherTile {
  readonly name: string;
  readonly href: string;
  /** An https image address. */
  readonly logo?: string;
}

export interface LauncherPageOptions {
  readonly title: string;
  /** The signed-in user's email (none when a Bypass policy shows the launcher to anyone). */
  readonly email?: string;
  readonly tiles: readonly LauncherTile[];
  /** An https image address for the header. */
  readonly logo?: string;
  /** The launcher application's bg_color and header_bg_color, as stored (only plain colours are used). */
  readonly colors: { readonly background: unknown; readonly header: unknown };
  /** The launcher application's footer_links, as stored ({name, url}; only http and https links are shown). */
  readonly footerLinks: readonly unknown[];
  readonly logoutUrl: string;
}

/** A colour that can go into a style sheet as it is: #rgb to #rrggbbaa, or a colour name. */
const plainColor = (value: unknown): string | undefined => (typeof value === 'string' && /^(#[0-9a-f]{3,8}|[a-z]{3,30})$/i.test(value) ? value : undefined);

/** A web address a page may link to (http or https), or with `httpsOnly` show as an image; else none. */
export function webUrl(value: unknown, httpsOnly = false): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || (!httpsOnly && url.protocol === 'http:') ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

/** The App Launcher: a tile for each application the user may open. */
export function launcherPage(options: LauncherPageOptions): string {
  const background = plainColor(options.colors.background) ?? '#f5f5f7';
  const header = plainColor(options.colors.header) ?? '#ffffff';
  const style = `body{font-family:system-ui,sans-serif;margin:0;color:#1d1d1f;background:${background}}header{display:flex;align-items:center;gap:1rem;padding:.8rem 1.5rem;background:${header};border-bottom:1px solid #d0d0d5}header img{height:2rem}header h1{font-size:1.2rem;margin:0;flex:1}main{max-width:60rem;margin:2rem auto;padding:0 1rem}ul#tiles{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(10rem,1fr));gap:1rem}ul#tiles a{display:flex;flex-direction:column;align-items:center;gap:.6rem;padding:1.2rem .8rem;background:#fff;border:1px solid #d0d0d5;border-radius:6px;text-decoration:none;color:inherit;text-align:center}ul#tiles img{width:3rem;height:3rem;object-fit:contain}footer{text-align:center;padding:1rem}footer a{margin:0 .6rem}`;
  const tiles = options.tiles.map((t) => `<li><a class="tile" href="${escapeHtml(t.href)}">${t.logo === undefined ? '' : `<img src="${escapeHtml(t.logo)}" alt="">`}<span>${escapeHtml(t.name)}</span></a></li>`).join('\n');
  const links = options.footerLinks.flatMap((link) => {
    const entry = (link ?? {}) as { name?: unknown; url?: unknown };
    const url = webUrl(entry.url);
    return typeof entry.name === 'string' && url !== undefined ? [`<a href="${escapeHtml(url)}">${escapeHtml(entry.name)}</a>`] : [];
  });
  const who = options.email === undefined ? '' : `<span id="user">${escapeHtml(options.email)}</span> `;
  return page(
    options.title,
    `<header>${options.logo === undefined ? '' : `<img src="${escapeHtml(options.logo)}" alt="">`}<h1>${escapeHtml(options.title)}</h1><div>${who}<a id="logout" href="${escapeHtml(options.logoutUrl)}">Sign out</a></div></header>
<main>${options.tiles.length === 0 ? '<p id="message">No applications are available to you here.</p>' : `<ul id="tiles">\n${tiles}\n</ul>`}</main>
${links.length === 0 ? '' : `<footer>${links.join('')}</footer>`}`,
    undefined,
    style,
  );
}
