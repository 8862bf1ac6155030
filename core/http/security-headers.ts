/**
 * The security headers of every customer page, computed once: a strict Content-Security-Policy
 * (nothing inline, nothing from elsewhere but the provider's logo), no MIME sniffing, no framing
 * by other sites, no referrer outside the module — the set Hono's secureHeaders sends.
 */
export function securityHeaders(options: { logoOrigin?: string }): Record<string, string> {
  const csp = [
    "default-src 'self'", "script-src 'self'", "style-src 'self'", `img-src 'self' data:${options.logoOrigin ? ` ${options.logoOrigin}` : ''}`,
    "connect-src 'self'", "form-action 'self'", "frame-ancestors 'self'", "base-uri 'none'", "object-src 'none'",
  ].join('; ');
  return {
    'content-security-policy': csp,
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'origin-agent-cluster': '?1',
    'referrer-policy': 'same-origin',
    'strict-transport-security': 'max-age=15552000; includeSubDomains',
    'x-content-type-options': 'nosniff',
    'x-dns-prefetch-control': 'off',
    'x-download-options': 'noopen',
    'x-frame-options': 'SAMEORIGIN',
    'x-permitted-cross-domain-policies': 'none',
    'x-xss-protection': '0',
  };
}

// Responses built with the headers already in place (see `securedResponse`).
const secured = new WeakSet<Response>();

/**
 * A response that carries `headers` (the security headers among them) as a plain object: the
 * Node server writes such a response as it is, where headers set on a built response go into a
 * Headers object and are copied out of it again.
 */
export function securedResponse(body: string | Uint8Array<ArrayBuffer>, status: number, headers: Record<string, string>): Response {
  const response = new Response(body, { status, headers });
  secured.add(response);
  return response;
}

/** Adds the security headers to a response that does not carry them yet (redirects, assets, errors). */
export function secure(response: Response, headers: Record<string, string>) {
  if (secured.has(response)) return;
  for (const name in headers) response.headers.set(name, headers[name]!);
}

const htmlHeaders = new WeakMap<Record<string, string>, Map<string, Record<string, string>>>();

/**
 * The headers of an HTML page in one language: the security headers and the page's own, made
 * once per language and shared by every response (the server only reads them): an object of
 * sixteen headers spread together is slow to build.
 */
export function pageHeaders(security: Record<string, string>, language: string): Record<string, string> {
  let languages = htmlHeaders.get(security);
  if (!languages) htmlHeaders.set(security, (languages = new Map()));
  let headers = languages.get(language);
  if (!headers) {
    languages.set(language, (headers = Object.freeze({
      ...security,
      'content-type': 'text/html; charset=UTF-8',
      'content-language': language,
      vary: 'HX-Request, Cookie, Accept-Language',
    })));
  }
  return headers;
}
