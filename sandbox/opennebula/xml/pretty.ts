// The CLI prints `-x` output indented by two spaces, one element per line, leaves inline.

type Node = { name: string; children: Node[]; text: string; selfClosing: boolean };

function parse(xml: string): Node {
  const root: Node = { name: '#root', children: [], text: '', selfClosing: false };
  const stack: Node[] = [root];
  let i = 0;
  while (i < xml.length) {
    const top = stack[stack.length - 1]!;
    if (xml.startsWith('<![CDATA[', i)) {
      const end = xml.indexOf(']]>', i);
      top.text += xml.slice(i, end + 3);
      i = end + 3;
    } else if (xml.startsWith('</', i)) {
      i = xml.indexOf('>', i) + 1;
      stack.pop();
    } else if (xml[i] === '<') {
      const end = xml.indexOf('>', i);
      const tag = xml.slice(i + 1, end);
      const selfClosing = tag.endsWith('/');
      const node: Node = { name: selfClosing ? tag.slice(0, -1) : tag, children: [], text: '', selfClosing };
      top.children.push(node);
      if (!selfClosing) stack.push(node);
      i = end + 1;
    } else {
      const end = xml.indexOf('<', i);
      top.text += xml.slice(i, end === -1 ? undefined : end);
      i = end === -1 ? xml.length : end;
    }
  }
  return root;
}

function render(n: Node, indent: string): string {
  if (n.selfClosing) return `${indent}<${n.name}/>`;
  if (!n.children.length) return `${indent}<${n.name}>${n.text}</${n.name}>`;
  return [`${indent}<${n.name}>`, ...n.children.map((c) => render(c, `${indent}  `)), `${indent}</${n.name}>`].join(
    '\n',
  );
}

export function prettyXml(xml: string): string {
  return parse(xml)
    .children.map((c) => render(c, ''))
    .join('\n');
}
