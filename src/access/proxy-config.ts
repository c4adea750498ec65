// Reverse-proxy configurations that put portcullis in front of an application
// (docs/enforcement.md): the nginx server block and the Caddy site the end-to-end tests run, and
// a Traefik configuration, generated for one application. `portcullis proxy-config` prints them.

export interface ProxyTarget {
  /** host:port of portcullis. */
  readonly portcullis: string;
  /** host:port of the protected upstream. */
  readonly upstream: string;
}

/** The nginx server block for one protected host (as docs/enforcement.md shows it). */
export function nginxServerBlock(site: { readonly listen: string; readonly serverName: string }, target: ProxyTarget): string {
  return `
  server {
    listen ${site.listen};
    server_name ${site.serverName};
    # Ask portcullis about every request; its answer's headers go upstream.
    location = /cdn-cgi/access/authorize-subrequest {
      internal;
      proxy_pass http://${target.portcullis}/cdn-cgi/access/authorize;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-Uri $request_uri;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Method $request_method;
      proxy_set_header X-Forwarded-For $remote_addr;
    }
    # Sign-in, identity and sign-out on the application's own host.
    location /cdn-cgi/access/ {
      proxy_pass http://${target.portcullis};
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-For $remote_addr;
    }
    location / {
      auth_request /cdn-cgi/access/authorize-subrequest;
      auth_request_set $access_jwt $upstream_http_cf_access_jwt_assertion;
      auth_request_set $access_email $upstream_http_cf_access_authenticated_user_email;
      auth_request_set $access_login $upstream_http_x_access_login;
      error_page 401 = @access_login;
      proxy_set_header Cf-Access-Jwt-Assertion $access_jwt;
      proxy_set_header Cf-Access-Authenticated-User-Email $access_email;
      proxy_pass http://${target.upstream};
    }
    location @access_login {
      return 302 $access_login;
    }
  }`;
}

/** The Caddyfile site for one protected host (as docs/enforcement.md shows it); `bind` limits the listening address. */
export function caddySite(site: { readonly address: string; readonly bind?: string }, target: ProxyTarget): string {
  return `${site.address} {${site.bind === undefined ? '' : `\n  bind ${site.bind}`}
  # Sign-in, identity and sign-out on the application's own host.
  handle /cdn-cgi/access/* {
    reverse_proxy ${target.portcullis}
  }
  handle {
    # Ask portcullis about every request; redirect=1 makes it send browsers to sign in itself.
    forward_auth ${target.portcullis} {
      uri /cdn-cgi/access/authorize?redirect=1
      copy_headers Cf-Access-Jwt-Assertion Cf-Access-Authenticated-User-Email
    }
    reverse_proxy ${target.upstream}
  }
}`;
}

/** Traefik's dynamic configuration (file provider) for one application. */
export function traefikConfig(host: string, target: ProxyTarget): string {
  return `http:
  middlewares:
    portcullis:
      forwardAuth:
        # Ask portcullis about every request; redirect=1 makes it send browsers to sign in itself.
        address: "http://${target.portcullis}/cdn-cgi/access/authorize?redirect=1"
        authResponseHeaders: ["Cf-Access-Jwt-Assertion", "Cf-Access-Authenticated-User-Email"]
  routers:
    protected:
      rule: "Host(\`${host}\`)"
      middlewares: ["portcullis"]
      service: upstream
    access:
      # Sign-in, identity and sign-out on the application's own host.
      rule: "Host(\`${host}\`) && PathPrefix(\`/cdn-cgi/access/\`)"
      priority: 100
      service: portcullis
  services:
    upstream:
      loadBalancer:
        servers: [{ url: "http://${target.upstream}" }]
    portcullis:
      loadBalancer:
        passHostHeader: true
        servers: [{ url: "http://${target.portcullis}" }]
`;
}
