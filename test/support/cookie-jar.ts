// A cookie jar per host for fetch-driven browser flows (sign-ins through identity providers).

export class CookieJar {
  private readonly byHost = new Map<string, Map<string, string>>();

  header(url: string): string {
    const cookies = this.byHost.get(new URL(url).host);
    return cookies === undefined ? '' : [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  keep(url: string, response: Response): void {
    const host = new URL(url).host;
    const cookies = this.byHost.get(host) ?? new Map<string, string>();
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      if (eq > 0) cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
    this.byHost.set(host, cookies);
  }

  /** One request without following redirects, sending and keeping this host's cookies. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.header(url);
    if (cookie !== '') headers.set('cookie', cookie);
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.keep(url, response);
    return response;
  }

  /** Follow redirects (GET) until `stop` says so or a non-redirect answer; every hop is returned. */
  async follow(url: string, stop: (url: URL) => boolean = () => false, init: RequestInit = {}): Promise<{ response: Response; url: string }> {
    let current = url;
    let response = await this.fetch(current, init);
    for (let hops = 0; hops < 20 && response.status >= 300 && response.status < 400; hops++) {
      current = new URL(response.headers.get('location')!, current).toString();
      if (stop(new URL(current))) return { response, url: current };
      response = await this.fetch(current);
    }
    return { response, url: current };
  }
}

/** The `name=value` of portcullis's sign-in cookie (CF_Sign_In) a response sets, as a Cookie header; '' without one. */
export function signInCookie(response: Response): string {
  return response.headers.getSetCookie().map((line) => line.split(';')[0]!).find((pair) => pair.startsWith('CF_Sign_In=')) ?? '';
}
