import 'server-only';

// The expected-failure contract for server code. Client components and lib/schemas import the pure
// base from '@/lib/errors/expected-error' instead (this barrel also holds the server's answers).

export { ExpectedError, isExpectedError, STATUS_OF_KIND, type ErrorKind } from './expected-error';
export { notFoundResponse, toActionState, toResponse, UNEXPECTED_ACTION, UNEXPECTED_REQUEST } from './answers';
