// The pure expected-failure contract, for client components (which take only lib/schemas from lib):
// they tell failures apart by kind, like server code, never by an error class.

export { ExpectedError, isExpectedError, type ErrorKind } from '@/lib/errors/expected-error';
