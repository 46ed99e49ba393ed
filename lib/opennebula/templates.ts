import 'server-only';
import { checkId, runOne, type OneCallOptions, type OneCredential } from './cli';

/**
 * `onetemplate delete ID`: removes the VM template only; its images stay (the CLI deletes them
 * too only with --recursive, which Backstone never uses: it deletes the images it made itself).
 */
export async function deleteTemplate(cred: OneCredential, id: number, opts?: OneCallOptions): Promise<void> {
  await runOne(cred, { program: 'onetemplate', args: ['delete', checkId(id, 'template ID')] }, opts);
}
