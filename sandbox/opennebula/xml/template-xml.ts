import { isVector, sortedAttrs, type Template } from '../template/template';
import { cel } from './escape';

/** Template attributes as oned prints them: sorted, values CDATA, vector members sorted. */
export function templateBody(t: Template): string {
  return sortedAttrs(t)
    .map((a) =>
      isVector(a)
        ? `<${a.name}>${Object.keys(a.vector)
            .sort()
            .map((k) => cel(k, a.vector[k] ?? ''))
            .join('')}</${a.name}>`
        : cel(a.name, a.value),
    )
    .join('');
}

export function templateXml(tag: string, t: Template): string {
  const body = templateBody(t);
  return body ? `<${tag}>${body}</${tag}>` : `<${tag}/>`;
}
