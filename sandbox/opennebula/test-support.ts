// Helpers for the front-end's integration tests: the CLI as a person runs it, XSD validation.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type RunResult } from '../common/process';
import type { FrontendInfo } from './frontend';

// OpenNebula's own schemas, kept beside the simulator (xsd/README.md).
export const XSD_DIR = join(import.meta.dirname, 'xsd');

export function one(info: FrontendInfo, account: string, command: string, ...args: string[]): Promise<RunResult> {
  const auth = info.accounts.find((a) => a.name === account)!;
  return run(join(info.commandDir, command), args, { env: { ...process.env, ONE_AUTH: auth.oneAuth } });
}

/** Validates with xmllint after adding OpenNebula's namespace to the root element, as oned's XML omits it. */
export async function validate(xml: string, xsd: string): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'one-xsd-'));
  try {
    return await validateIn(dir, xml, xsd);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function validateIn(dir: string, xml: string, xsd: string): Promise<RunResult> {
  const file = join(dir, 'doc.xml');
  writeFileSync(file, xml.replace(/^<([A-Z_]+)/, '<$1 xmlns="http://opennebula.org/XMLSchema"'));
  let schema = join(XSD_DIR, xsd);
  if (xsd === 'vm_pool.xsd') {
    // No VM_POOL schema is shared; this wraps the shared vm.xsd as datastore_pool.xsd wraps its element.
    schema = join(dir, 'vm_pool.xsd');
    writeFileSync(
      schema,
      `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified" targetNamespace="http://opennebula.org/XMLSchema" xmlns="http://opennebula.org/XMLSchema">
  <xs:include schemaLocation="${join(XSD_DIR, 'vm.xsd')}"/>
  <xs:element name="VM_POOL"><xs:complexType><xs:sequence><xs:element ref="VM" minOccurs="0" maxOccurs="unbounded"/></xs:sequence></xs:complexType></xs:element>
</xs:schema>
`,
    );
  }
  return run('xmllint', ['--noout', '--schema', schema, file]);
}
