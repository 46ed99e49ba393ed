import 'server-only';
import { authorize, refusalResponse, type Role, type Viewer } from '@/lib/auth';
import { toResponse } from '@/lib/errors';

export { notFoundResponse } from '@/lib/errors';

/**
 * Wraps a route handler: the guard first, then the handler; expected failures become clear JSON
 * errors (never a raw stack or stderr), unexpected ones a plain 500 logged on the server.
 */
export function guarded<P>(
  role: Role,
  action: string,
  handler: (viewer: Viewer, params: P, request: Request) => Promise<Response>,
) {
  return async (request: Request, context: { params: Promise<P> }): Promise<Response> => {
    const response = await answer(request, context);
    // What a signed-in person reads is theirs alone and changes: no browser or proxy keeps a copy.
    if (!response.headers.has('cache-control')) response.headers.set('Cache-Control', 'no-store');
    return response;
  };

  async function answer(request: Request, context: { params: Promise<P> }): Promise<Response> {
    const auth = await authorize(role, action);
    if (auth.refusal) return refusalResponse(auth.refusal);
    try {
      return await handler(auth.viewer, await context.params, request);
    } catch (err) {
      return toResponse(err, { action });
    }
  }
}
