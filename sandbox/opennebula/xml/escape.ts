// How oned writes values into XML: template values and a few fields as CDATA, names and numbers
// as plain text.

/** <![CDATA[...]]>, splitting any "]]>" so the XML stays well formed (one_util::escape_xml). */
export function cdata(value: string): string {
  return `<![CDATA[${value.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
}

/** Text content with the XML special characters escaped. */
export function text(value: string | number): string {
  return String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function el(name: string, inner: string | number): string {
  return `<${name}>${inner}</${name}>`;
}

export function cel(name: string, value: string): string {
  return `<${name}>${cdata(value)}</${name}>`;
}

export function ids(name: string, list: readonly number[]): string {
  return list.length ? `<${name}>${list.map((i) => el('ID', i)).join('')}</${name}>` : `<${name}/>`;
}
