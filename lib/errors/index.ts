import 'server-only';

// The expected-failure contract for server code. lib/schemas imports the pure base from
// '@/lib/errors/expected-error', client components from '@/lib/schemas/expected-error' (this barrel also holds the server's answers).

export { auditOutcome, ExpectedError, isExpectedError, STATUS_OF_KIND, type ErrorKind } from './expected-error';
export { notFoundResponse, toActionState, toResponse, UNEXPECTED_ACTION, UNEXPECTED_REQUEST } from './answers';
