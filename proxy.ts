import { NextResponse, type NextRequest } from 'next/server';

// Runs before every page, action and route handler (static assets excepted):
// - sends anonymous page requests to sign-in before anything renders. It only looks for the
//   cookie: every page, action and route handler still checks the session itself (lib/auth);
//   /metrics is let through to its handler, which checks Prometheus's bearer token instead;
// - sets the Content-Security-Policy with a fresh nonce. Next reads the nonce from the request's
//   policy header and puts it on its own scripts; the root layout puts it on the theme script.
const SESSION_COOKIE = 'backstone_session';

/** The policy for one response. Styles allow inline: React renders style attributes (bar widths, row heights). */
function contentSecurityPolicy(nonce: string): string {
  // `next dev` evaluates modules with eval for its overlay and fast refresh; a production build never does.
  const devEval = process.env.NODE_ENV === 'development' ? " 'unsafe-eval'" : '';
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${devEval}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
  const csp = contentSecurityPolicy(nonce);
  const { pathname, search } = request.nextUrl;
  const isAction = request.headers.has('next-action');
  // /metrics is Prometheus's, not a page: its handler checks the bearer token instead of a session.
  const isPage =
    request.method === 'GET' && !pathname.startsWith('/api/') && pathname !== '/login' && pathname !== '/metrics';
  if (isPage && !isAction && !request.cookies.has(SESSION_COOKIE)) {
    const url = request.nextUrl.clone();
    url.pathname = '/login';
    url.search = `?next=${encodeURIComponent(pathname + search)}`;
    const redirect = NextResponse.redirect(url);
    redirect.headers.set('Content-Security-Policy', csp);
    return redirect;
  }
  const headers = new Headers(request.headers);
  // Pages can send a person back here after signing in again.
  headers.set('x-backstone-path', pathname + search);
  headers.set('x-nonce', nonce);
  headers.set('Content-Security-Policy', csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('Content-Security-Policy', csp);
  return response;
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|icon.svg|favicon.ico).*)'],
};
