import 'server-only';
import type { VmTemplate } from './models';
import { checkId, readOne, runOne, type OneCallOptions, type OneCredential } from './cli';
import { parseVmTemplate } from './parse/template-xml';

/** `onetemplate show -x ID`, as the caller: OpenNebula decides whether they may see it. */
export async function getTemplate(cred: OneCredential, id: number, opts?: OneCallOptions): Promise<VmTemplate> {
  return readOne(
    cred,
    { program: 'onetemplate', args: ['show', '-x', checkId(id, 'template ID')] },
    parseVmTemplate,
    opts,
  );
}

/**
 * `onetemplate delete ID`: removes the VM template only; its images stay (the CLI deletes them
 * too only with --recursive, which Backstone never uses: it deletes the images it made itself).
 */
export async function deleteTemplate(cred: OneCredential, id: number, opts?: OneCallOptions): Promise<void> {
  await runOne(cred, { program: 'onetemplate', args: ['delete', checkId(id, 'template ID')] }, opts);
}
