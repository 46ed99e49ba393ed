import { NextResponse, type NextRequest } from 'next/server';

// Sends anonymous page requests to sign-in before anything renders. It only looks for the
// cookie: every page, action and route handler still checks the session itself (lib/auth).
const SESSION_COOKIE = 'backstone_session';

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const isAction = request.headers.has('next-action');
  const isPage = request.method === 'GET' && !pathname.startsWith('/api/');
  if (isPage && !isAction && !request.cookies.has(SESSION_COOKIE)) {
    const url = request.nextUrl.clone();
    url.pathname = '/login';
    url.search = `?next=${encodeURIComponent(pathname + search)}`;
    return NextResponse.redirect(url);
  }
  // Pages can send a person back here after signing in again.
  const headers = new Headers(request.headers);
  headers.set('x-backstone-path', pathname + search);
  return NextResponse.next({ request: { headers } });
}

export const config = {
  matcher: ['/((?!login|_next/static|_next/image|icon.svg|favicon.ico).*)'],
};
