import 'server-only';
import { audit } from '@/lib/auth';
import { ExecError, trustHostKey } from '@/lib/exec';

// An admin compared a backup server's fingerprint and trusts it: pinned in Backstone's
// known_hosts only if the server still presents that very key, and audited either way.

export type TrustOutcome = { kind: 'trusted' } | { kind: 'failed'; message: string };

export async function trustServerKey(
  who: { actor: string; address: string },
  host: string,
  fingerprint: string,
): Promise<TrustOutcome> {
  try {
    await trustHostKey({ kind: 'ssh', host }, fingerprint);
    audit({
      actor: who.actor,
      action: 'host-key-trust',
      target: host,
      outcome: 'ok',
      detail: fingerprint,
      address: who.address,
    });
    return { kind: 'trusted' };
  } catch (err) {
    if (!(err instanceof ExecError)) throw err;
    audit({
      actor: who.actor,
      action: 'host-key-trust',
      target: host,
      outcome: 'failed',
      detail: `${fingerprint}: ${err.message}`,
      address: who.address,
    });
    return { kind: 'failed', message: err.message };
  }
}
