// The few HTML pages the enforcement point shows people: sign in (development login), signed
// out, forbidden. Every value put in a page is escaped.

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem;color:#1d1d1f}h1{font-size:1.4rem}label,input,button{display:block;width:100%;box-sizing:border-box}input{margin:.3rem 0 1rem;padding:.5rem}button{padding:.6rem;background:#f38020;color:#fff;border:0;border-radius:4px}.error{color:#b00020}</style>
</head><body>${body}</body></html>`;
}

export function messagePage(title: string, message: string, link?: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p id="message">${escapeHtml(message)}</p>${link === undefined ? '' : `<p><a href="${escapeHtml(link)}">Continue</a></p>`}`);
}

export function loginPage(appName: string, redirectUrl: string, error?: string): string {
  return page(
    `Sign in to ${appName}`,
    `<h1>Sign in to ${escapeHtml(appName)}</h1>
<p>Development login: no password is asked. Never enable it where others can reach the server.</p>
${error === undefined ? '' : `<p class="error">${escapeHtml(error)}</p>`}
<form method="post"><input type="hidden" name="redirect_url" value="${escapeHtml(redirectUrl)}">
<label for="email">Email</label><input id="email" name="email" type="email" required autofocus>
<label for="groups">Groups (comma-separated, optional)</label><input id="groups" name="groups">
<button type="submit">Sign in</button></form>`,
  );
}
