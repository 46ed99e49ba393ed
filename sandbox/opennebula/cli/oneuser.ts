// oneuser show | list | token-create | token-delete ; onecluster list ; onehost list
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, XML, type Parsed } from './args';
import { login, printXml, resolve, table, type Ctx } from './context';
import { OneError, actionError, authorizationError } from '../errors';
import { withDb } from '../store/db';
import { clusterXml, hostXml, userXml } from '../xml/other-xml';
import { now } from '../clock';
import { authenticate, authFile, readCredentials } from '../auth';

export function oneuser(ctx: Ctx, argv: string[]): number {
  const [cmd, ...rest] = argv;
  const a = parseArgs(rest, [XML, { name: 'time', value: true }, { name: 'group', value: true }, { name: 'force' }]);
  switch (cmd) {
    case 'show':
      return show(ctx, a);
    case 'list':
      return list(ctx, a);
    case 'token-create':
      return tokenCreate(ctx, a);
    case 'token-delete':
      return tokenDelete(ctx, a);
    default:
      throw new OneError(`oneuser: unknown command ${cmd ?? ''}`.trim());
  }
}

function show(ctx: Ctx, a: Parsed): number {
  const M = 'one.user.info';
  const { db, s } = login(ctx, M);
  // Without an argument the CLI shows the caller (id -1).
  const user = a.positionals[0] === undefined ? s.user : resolve(db.users, a.positionals[0], 'USER', M, 'USER');
  if (!s.admin && user.id !== s.uid) throw authorizationError(M, s.uid, 'USE', 'USER', user.id);
  if (a.options.xml) printXml(ctx, userXml(db, user, user.id === s.uid || s.admin));
  else
    ctx.out(
      [
        `USER ${user.id} INFORMATION`,
        `ID              : ${user.id}`,
        `NAME            : ${user.name}`,
        `GROUP           : ${db.groups.find((g) => g.id === user.gid)?.name ?? ''}`,
        `PASSWORD        : ${user.password}`,
        `AUTH_DRIVER     : core`,
        `ENABLED         : Yes`,
      ].join('\n'),
    );
  return 0;
}

function list(ctx: Ctx, a: Parsed): number {
  const { db, s } = login(ctx, 'one.userpool.info');
  const users = s.admin ? db.users : db.users.filter((u) => u.id === s.uid);
  if (a.options.xml) printXml(ctx, `<USER_POOL>${users.map((u) => userXml(db, u, false)).join('')}</USER_POOL>`);
  else
    ctx.out(
      table(
        ['ID', 'NAME', 'GROUP', 'AUTH'],
        users.map((u) => [u.id, u.name, db.groups.find((g) => g.id === u.gid)?.name ?? '', 'core']),
      ),
    );
  return 0;
}

function tokenCreate(ctx: Ctx, a: Parsed): number {
  const M = 'one.user.login';
  const { db, s } = login(ctx, M);
  const user = a.positionals[0] === undefined ? s.user : resolve(db.users, a.positionals[0], 'USER', M, 'USER');
  if (!s.admin && user.id !== s.uid) throw authorizationError(M, s.uid, 'MANAGE', 'USER', user.id);
  const valid = a.options.time === undefined ? 36_000 : Number(a.options.time);
  const token = randomBytes(20).toString('hex');
  withDb(ctx.paths, (d) => {
    const u = d.users.find((x) => x.id === user.id)!;
    u.tokens.push({ token, expiration: valid === -1 ? -1 : now(ctx.env) + valid, egid: -1 });
  });
  // Without a user name the CLI logs in with ONE_AUTH and then keeps the new token in that file;
  // an existing file is only replaced with --force (the real CLI would ask on the terminal).
  if (a.positionals[0] === undefined) {
    const file = authFile(ctx.env);
    if (existsSync(file) && !a.options.force)
      throw new OneError(`File ${file} exists, use --force to overwrite the authentication token.`);
    writeFileSync(file, `${user.name}:${token}\n`, { mode: 0o600 });
  }
  ctx.out('Authentication Token is:');
  ctx.out(`${user.name}:${token}`);
  return 0;
}

/**
 * `oneuser token-delete [<username>] <token>`: the token argument is a hint, the start of one of
 * the caller's tokens (expired ones included). The CLI reads the caller with one.user.info, picks
 * the one token that starts with the hint, expires it with one.user.login(name, token, 0), and
 * removes the token file `token-set` may have written. Its own refusals print on stdout and exit 1.
 */
function tokenDelete(ctx: Ctx, a: Parsed): number {
  // With a user name the real CLI first asks for that user's password on the terminal.
  if (a.positionals.length !== 1)
    throw new OneError(
      'oneuser token-delete: only the form `token-delete <token>` (ONE_AUTH credentials) is simulated.',
    );
  const hint = a.positionals[0]!;
  const { s } = login(ctx, 'one.user.info');
  const matches = s.user.tokens.filter((t) => t.token.startsWith(hint));
  if (matches.length > 1) throw new OneError(`More than one token starting with '${hint}' found.`, true, 1);
  if (matches.length === 0) throw new OneError('No tokens found.', true, 1);
  const token = matches[0]!.token;
  // one.user.login authenticates again, then drops the token (valid time 0).
  const M = 'one.user.login';
  withDb(ctx.paths, (d) => {
    const again = authenticate(d, readCredentials(ctx.env), M, now(ctx.env));
    const u = d.users.find((x) => x.id === again.uid)!;
    const at = u.tokens.findIndex((t) => t.token === token);
    if (at === -1) throw actionError(M, `Could not find token: ${token}`);
    u.tokens.splice(at, 1);
  });
  ctx.out('Token removed.');
  const file = join(
    ctx.env.HOME || homedir(),
    '.one',
    `${createHash('md5').update(`${s.user.name}:${token}`).digest('hex')}.token`,
  );
  if (existsSync(file)) {
    rmSync(file);
    ctx.out(`Removing ${file}`);
  }
  return 0;
}

export function onecluster(ctx: Ctx, argv: string[]): number {
  const [cmd, ...rest] = argv;
  const a = parseArgs(rest, [XML]);
  if (cmd !== 'list') throw new OneError(`onecluster: unknown command ${cmd ?? ''}`.trim());
  const { db } = login(ctx, 'one.clusterpool.info');
  if (a.options.xml)
    printXml(ctx, `<CLUSTER_POOL>${db.clusters.map((c) => clusterXml(db, c)).join('')}</CLUSTER_POOL>`);
  else
    ctx.out(
      table(
        ['ID', 'NAME', 'HOSTS', 'VNETS', 'DATASTORES'],
        db.clusters.map((c) => [
          c.id,
          c.name,
          db.hosts.filter((h) => h.clusterId === c.id).length,
          0,
          db.datastores.filter((d) => d.clusters.includes(c.id)).length,
        ]),
      ),
    );
  return 0;
}

export function onehost(ctx: Ctx, argv: string[]): number {
  const [cmd, ...rest] = argv;
  const a = parseArgs(rest, [XML]);
  if (cmd !== 'list') throw new OneError(`onehost: unknown command ${cmd ?? ''}`.trim());
  const { db, s } = login(ctx, 'one.hostpool.info');
  const hosts = s.admin ? db.hosts : [];
  if (a.options.xml)
    printXml(
      ctx,
      hosts.length ? `<HOST_POOL>${hosts.map((h) => hostXml(db, h)).join('')}</HOST_POOL>` : '<HOST_POOL/>',
    );
  else
    ctx.out(
      table(
        ['ID', 'NAME', 'CLUSTER', 'TVM', 'STAT'],
        hosts.map((h) => [
          h.id,
          h.name,
          db.clusters.find((c) => c.id === h.clusterId)?.name ?? '',
          db.vms.filter((v) => v.hostId === h.id).length,
          'on',
        ]),
      ),
    );
  return 0;
}
