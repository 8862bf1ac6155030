import type { MiddlewareHandler } from 'hono';

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
 * Node server writes such a response as it is, where every header set on a built response costs a
 * Headers lookup and a copy — a measurable share of a page view.
 */
export function securedResponse(body: string, status: number, headers: Record<string, string>): Response {
  // Encoded once here: given a string, the server would count its UTF-8 length, then encode it.
  const response = new Response(body, { status, headers });
  secured.add(response);
  return response;
}

/**
 * Adds the security headers to every response that does not carry them yet (redirects, assets),
 * and hands them to the pages (`securityHeaders` on the request) to build their own with.
 */
export function secureResponses(headers: Record<string, string>): MiddlewareHandler<{ Variables: { securityHeaders: Record<string, string> } }> {
  return async (c, next) => {
    c.set('securityHeaders', headers);
    await next();
    if (secured.has(c.res)) return;
    for (const name in headers) c.res.headers.set(name, headers[name]!);
  };
}
