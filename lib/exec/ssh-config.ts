import SSHConfig from 'ssh-config';
import { homedir, userInfo } from 'node:os';

// OpenSSH client config files are honoured for Host aliases (HostName, Port, User, IdentityFile),
// so Backstone reaches a server by the same name an admin uses with `ssh`.

export type HostSettings = { hostName: string; port: number; user: string; identityFiles: string[] };

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function expand(path: string, host: string, user: string): string {
  const home = homedir();
  return path
    .replace(/^~(?=\/|$)/, home)
    .replace(/%d/g, home)
    .replace(/%u/g, userInfo().username)
    .replace(/%r/g, user)
    .replace(/%h/g, host)
    .replace(/%%/g, '%');
}

/** The settings OpenSSH would use for `host` under this config text (first match wins). */
export function resolveHost(configText: string | undefined, host: string): HostSettings {
  const computed = configText ? SSHConfig.parse(configText).compute(host) : {};
  const get = (k: string) => first((computed as Record<string, string | string[] | undefined>)[k]);
  const hostName = get('HostName') ?? host;
  const user = get('User') ?? userInfo().username;
  const portText = get('Port');
  const port = portText ? Number(portText) : 22;
  const ids = (computed as Record<string, string | string[] | undefined>).IdentityFile;
  const identityFiles = (Array.isArray(ids) ? ids : ids ? [ids] : []).map((p) => expand(p, hostName, user));
  return {
    hostName: hostName.replace(/%h/g, host),
    port: Number.isInteger(port) && port > 0 ? port : 22,
    user,
    identityFiles,
  };
}
