import 'server-only';
import { Parser, type ParserOptions } from 'xml2js';
import { z } from 'zod';
import { OneCliError } from './errors';
import type { TemplateAttributes, TemplateVectors } from './models';

// XML from the OpenNebula CLI goes: text -> xml2js (this file's one options object) -> zod schema of
// the raw shape (each object's *-xml.ts) -> reshape into a domain model. The normalisation of
// single-vs-repeated elements and the only number coercion live here.

// With these options a leaf element is its text (CDATA merged, nothing trimmed, `<X/>` = ''), an
// element with children is an object, and a repeated element is an array. Attributes are not
// used by OpenNebula's XML and are ignored.
const XML_OPTIONS: ParserOptions = {
  explicitArray: false,
  explicitRoot: true,
  ignoreAttrs: true,
  trim: false,
  normalize: false,
  emptyTag: '',
  strict: true,
  async: false,
};

/** The CLI answered, but not with the XML Backstone expects (a CLI error like any other). */
export class OneXmlError extends OneCliError {
  override name = 'OneXmlError';
  constructor(readonly detail: string) {
    super(`OpenNebula's answer could not be read: ${detail}`);
  }
}

/** Parses CLI XML output and returns the content of the expected root element. */
export async function parseXmlRoot(text: string, root: string): Promise<unknown> {
  // Anything printed before the XML (a warning on stdout) is skipped; the XML itself must be whole.
  const start = text.indexOf('<');
  if (start < 0) throw new OneXmlError(`expected <${root}> XML, got no XML at all`);
  let doc: unknown;
  try {
    doc = await new Parser(XML_OPTIONS).parseStringPromise(text.slice(start));
  } catch (e) {
    // The parser's message names a line and column only, never the content (which may hold secrets).
    throw new OneXmlError(`unreadable <${root}> XML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!doc || typeof doc !== 'object' || !(root in doc)) {
    const got = doc && typeof doc === 'object' ? Object.keys(doc)[0] : typeof doc;
    throw new OneXmlError(`expected <${root}> XML, got <${got}>`);
  }
  return (doc as Record<string, unknown>)[root];
}

/** Validates a raw XML value against its schema, with a short message naming the failing paths. */
export function validateXml<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  // Paths and expectations only: zod's default messages never echo the value itself here.
  const issues = r.error.issues.slice(0, 5).map((i) => `${i.path.join('/') || '(root)'}: ${i.message}`);
  throw new OneXmlError(`${what} XML does not have the expected shape (${issues.join('; ')})`);
}

// ---- the raw building blocks used by every schema ------------------------------------------------

/** A leaf element's text. */
export const xText = z.string();

/** The one place where numeric text becomes a number: integers only, as OpenNebula writes them. */
export const xInt = z
  .string()
  .trim()
  .regex(/^-?\d+$/, 'expected an integer')
  .transform((s) => Number(s))
  .refine((n) => Number.isSafeInteger(n), 'integer out of range');

/** A decimal (monitoring values), parsed in the same single place. */
export const xNum = z
  .string()
  .trim()
  .regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/, 'expected a number')
  .transform((s) => Number(s));

/** An element that may appear zero, one or many times, always as an array. */
export function xList<T extends z.ZodType>(item: T) {
  return z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(item));
}

// An element with children parses to an object, but an empty one (`<X/>`, or only blanks between
// the tags) parses to a string. For container elements that string means "no children".
function blankToEmpty(v: unknown): unknown {
  return typeof v === 'string' && v.trim() === '' ? {} : v;
}

/** A container element whose children follow `shape`; empty when it has none. */
export function xContainer<S extends z.ZodRawShape>(shape: S) {
  return z.preprocess(blankToEmpty, z.object(shape));
}

/** The shared IDS type (`<X><ID>1</ID>...</X>`, or `<X/>`), as numbers; [] when absent. */
export const xIds = xContainer({ ID: xList(xInt).optional() })
  .optional()
  .transform((v) => v?.ID ?? []);

/** A free-form TEMPLATE element: leaves are single attributes, objects are vector attributes. */
export const xTemplate = z
  .preprocess(blankToEmpty, z.record(z.string(), z.unknown()))
  .optional()
  .transform((v) => templateFromXml(v ?? {}));

/** A free-form flat element (BACKUP_CONFIG): its string children. */
export const xFlat = z.preprocess(blankToEmpty, z.record(z.string(), z.unknown())).transform(flatStrings);

function templateFromXml(node: Record<string, unknown>): { attributes: TemplateAttributes; vectors: TemplateVectors } {
  const attributes: TemplateAttributes = {};
  const vectors: TemplateVectors = {};
  for (const [name, value] of Object.entries(node)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (typeof item === 'string') {
        if (!(name in attributes)) attributes[name] = item;
      } else if (item && typeof item === 'object') {
        (vectors[name] ??= []).push(flatStrings(item as Record<string, unknown>));
      }
    }
  }
  return { attributes, vectors };
}

/** The string-valued children of a vector attribute (vector attributes are flat in OpenNebula). */
export function flatStrings(node: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(node)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v) && typeof v[0] === 'string') out[k] = v[0];
  }
  return out;
}

/** Integer text from a template map, or undefined when absent, empty or not an integer. */
export function intAttr(attrs: Record<string, string>, name: string): number | undefined {
  const r = xInt.safeParse(attrs[name] ?? '');
  return r.success ? r.data : undefined;
}

/** The common owner block of pool objects. */
export const xOwner = { UID: xInt, GID: xInt, UNAME: xText, GNAME: xText };
export function owner(raw: { UID: number; GID: number; UNAME: string; GNAME: string }) {
  return { uid: raw.UID, uname: raw.UNAME, gid: raw.GID, gname: raw.GNAME };
}

/** YES/NO flags as OpenNebula writes them. */
export function yesNo(v: string | undefined): boolean | undefined {
  if (v === undefined || v === '') return undefined;
  return /^(yes|true|1)$/i.test(v.trim());
}

/** `{ key: value }` when value is defined, else `{}`: keeps optional model fields truly absent. */
export function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
