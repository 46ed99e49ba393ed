// An OpenNebula template as oned keeps it: a multimap of attributes, each a single string value or
// a vector (a map of upper-case names to strings). oned prints it sorted by name (std::multimap),
// attributes of the same name in insertion order, vector members sorted (std::map).

export type SingleAttr = { name: string; value: string };
export type VectorAttr = { name: string; vector: Record<string, string> };
export type Attr = SingleAttr | VectorAttr;
export type Template = Attr[];

export function isVector(a: Attr): a is VectorAttr {
  return 'vector' in a;
}

/** The first single value of an attribute, as Template::get does. */
export function getValue(t: Template, name: string): string | undefined {
  for (const a of t) if (a.name === name && !isVector(a)) return a.value;
  return undefined;
}

export function getVectors(t: Template, name: string): VectorAttr[] {
  return t.filter((a): a is VectorAttr => a.name === name && isVector(a));
}

/** Replaces every attribute of that name with one single value (Template::replace). */
export function setValue(t: Template, name: string, value: string): Template {
  return [...t.filter((a) => a.name !== name), { name, value }];
}

export function removeAttr(t: Template, name: string): Template {
  return t.filter((a) => a.name !== name);
}

/** Sorted as std::multimap<string, Attribute*> iterates: by name, stable for equal names. */
export function sortedAttrs(t: Template): Attr[] {
  return t
    .map((a, i) => ({ a, i }))
    .sort((x, y) => (x.a.name < y.a.name ? -1 : x.a.name > y.a.name ? 1 : x.i - y.i))
    .map((x) => x.a);
}

/** Template text that parses back to the same template (values quoted with \" and \\ escapes). */
export function toTemplateText(t: Template): string {
  const q = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  return t
    .map((a) =>
      isVector(a)
        ? `${a.name}=[\n${Object.entries(a.vector)
            .map(([k, v]) => `  ${k}=${q(v)}`)
            .join(',\n')} ]`
        : `${a.name}=${q(a.value)}`,
    )
    .join('\n')
    .concat('\n');
}
