import 'server-only';

export * from './guard';
export { audit, recentAudit, type AuditEntry } from './audit';
export { signIn, signOut, type SignInOutcome } from './sign-in';
export { currentPath } from './return-path';
