import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { S3Error } from './errors.js';

export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** Elements that S3 documents repeat; they always parse as arrays, even when there is one. */
const REPEATED = new Set([
  'Object',
  'Part',
  'Tag',
  'QueueConfiguration',
  'TopicConfiguration',
  'CloudFunctionConfiguration',
  'LambdaFunctionConfiguration',
  'Event',
  'FilterRule',
]);

// parseTagValue:false keeps every value a string: keys, ETags and upload ids such as `123`
// or `1e5` must never become numbers. trimValues:false keeps keys with edge spaces intact.
const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  removeNSPrefix: true,
  isArray: (name) => REPEATED.has(name),
});

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: false,
  processEntities: true,
});

export type XmlNode = Record<string, unknown>;

/**
 * Parses a request body as XML and returns the root element's content, checking the root's
 * name. Anything malformed, or a different root, is S3's `MalformedXML`.
 */
export function parseXmlBody(body: string, rootName: string): XmlNode {
  if (body.trim() === '' || XMLValidator.validate(body) !== true) throw new S3Error('MalformedXML');
  const doc = parser.parse(body) as XmlNode;
  const root = doc[rootName];
  if (root === undefined) throw new S3Error('MalformedXML');
  if (typeof root === 'string') return {};
  return root as XmlNode;
}

/** Serialises `{ Root: {...} }` with the XML declaration; `namespace: null` for error documents, which S3 sends without one. */
export function buildXml(
  rootName: string,
  content: XmlNode,
  namespace: string | null = S3_NAMESPACE,
): string {
  const root = namespace ? { '@_xmlns': namespace, ...content } : content;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [rootName]: root })}`;
}

/** A child element's text, or undefined when absent. */
export function text(node: XmlNode, name: string): string | undefined {
  const value = node[name];
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && Object.keys(value).length === 0) return '';
  if (typeof value === 'object' && value !== null && '#text' in value)
    return String((value as XmlNode)['#text']);
  throw new S3Error('MalformedXML');
}

/** A repeated child element as an array of nodes. */
export function children(node: XmlNode, name: string): XmlNode[] {
  const value = node[name];
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => (typeof v === 'object' && v !== null ? (v as XmlNode) : {}));
}

export function isoDate(date: Date): string {
  return date.toISOString();
}
