import 'server-only';
import { z } from 'zod';
import type { VmTemplate } from '../models';
import { parseXmlRoot, validateXml, xInt, xText } from '../xml';

// VMTEMPLATE (share/doc/xsd/vmtemplate.xsd): only what Backstone shows of a template, its ID and
// name; the TEMPLATE body (disks, context) is not read.

export const OneVmTemplateXmlSchema = z.object({ ID: xInt, NAME: xText });

/** `onetemplate show -x` output. */
export async function parseVmTemplate(text: string): Promise<VmTemplate> {
  const raw = validateXml(OneVmTemplateXmlSchema, await parseXmlRoot(text, 'VMTEMPLATE'), 'VMTEMPLATE');
  return { id: raw.ID, name: raw.NAME };
}
