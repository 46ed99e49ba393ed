// onetemplate list | show | delete: the VM templates `oneimage restore` creates, as the Ruby CLI
// shows and removes them (`one.templatepool.info`, `one.template.info`, `one.template.delete`).
// Deleting a template leaves its images (the real CLI removes them only with --recursive).
import { parseArgs, XML, type Parsed } from './args';
import { login, printXml, resolve, table, type Ctx } from './context';
import { OneError, notFound } from '../errors';
import { withDb } from '../store/db';
import { vmTemplateXml } from '../xml/other-xml';
import { authorize, visible } from '../permissions';

export function onetemplate(ctx: Ctx, argv: string[]): number {
  const [cmd, ...rest] = argv;
  const a = parseArgs(rest, [XML]);
  switch (cmd) {
    case 'list':
      return list(ctx, a);
    case 'show':
      return show(ctx, a);
    case 'delete':
      return del(ctx, a);
    default:
      throw new OneError(`onetemplate: unknown command ${cmd ?? ''}`.trim());
  }
}

function list(ctx: Ctx, a: Parsed): number {
  const { db, s } = login(ctx, 'one.templatepool.info');
  const ts = visible(s, db.templates, 'TEMPLATE');
  if (a.options.xml) {
    printXml(ctx, `<VMTEMPLATE_POOL>${ts.map((t) => vmTemplateXml(db, t)).join('')}</VMTEMPLATE_POOL>`);
    return 0;
  }
  const when = (t: number) => {
    const d = new Date(t * 1000);
    const p = (n: number) => String(n).padStart(2, '0');
    return `${p(d.getMonth() + 1)}/${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  };
  const rows = ts.map((t) => [
    t.id,
    db.users.find((u) => u.id === t.uid)?.name ?? '',
    db.groups.find((g) => g.id === t.gid)?.name ?? '',
    t.name,
    when(t.regtime),
  ]);
  ctx.out(table(['ID', 'USER', 'GROUP', 'NAME', 'REGTIME'], rows));
  return 0;
}

function show(ctx: Ctx, a: Parsed): number {
  const M = 'one.template.info';
  const { db, s } = login(ctx, M);
  const t = resolve(db.templates, a.positionals[0], 'TEMPLATE', M, 'VMTEMPLATE');
  authorize(s, M, t, 'USE', 'TEMPLATE');
  if (a.options.xml) printXml(ctx, vmTemplateXml(db, t));
  else ctx.out([`TEMPLATE ${t.id} INFORMATION`, `ID             : ${t.id}`, `NAME           : ${t.name}`].join('\n'));
  return 0;
}

function del(ctx: Ctx, a: Parsed): number {
  const M = 'one.template.delete';
  const { db, s } = login(ctx, M);
  if (a.positionals.length === 0) throw new OneError('one parameter to run');
  for (const arg of a.positionals) {
    const t = resolve(db.templates, arg, 'TEMPLATE', M, 'VMTEMPLATE');
    authorize(s, M, t, 'MANAGE', 'TEMPLATE');
    withDb(ctx.paths, (d) => {
      if (!d.templates.some((x) => x.id === t.id)) throw notFound(M, 'TEMPLATE', t.id);
      d.templates = d.templates.filter((x) => x.id !== t.id);
    });
  }
  return 0;
}
