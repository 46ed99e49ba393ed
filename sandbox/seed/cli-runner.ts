// Runs the sandbox CLI as a person would: the executable from the command folder, ONE_AUTH naming
// an account's auth file, and (for the seed's history) a pinned clock.
import { join } from 'node:path';
import { run } from '../common/process';
import type { FrontendInfo } from '../opennebula/frontend';

export type Cli = (account: string, command: string, args: string[], at?: number) => Promise<string>;

export function cliRunner(info: FrontendInfo): Cli {
  return async (account, command, args, at) => {
    const auth = info.accounts.find((a) => a.name === account);
    if (!auth) throw new Error(`no demo account ${account}`);
    const env = {
      ...process.env,
      ONE_AUTH: auth.oneAuth,
      ...(at === undefined ? {} : { ONE_SANDBOX_NOW: String(at) }),
    };
    const r = await run(join(info.commandDir, command), args, { env });
    if (r.code !== 0)
      throw new Error(`${command} ${args.join(' ')} exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
    return r.stdout;
  };
}
