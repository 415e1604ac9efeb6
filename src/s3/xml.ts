import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { S3Error } from './errors.js';
import { escapeXmlText, firstNonXmlChar, strictEntityDecoder, XmlSyntaxError } from './xml-text.js';

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
  'Grant',
  'CORSRule',
  'Transition',
  'NoncurrentVersionTransition',
]);

/**
 * Levels of elements below the root. S3's deepest request document goes 5 below its root
 * (NotificationConfiguration > … > FilterRule > Name); past this the parser stops before
 * building anything deeper.
 */
const MAX_DEPTH = 32;

// parseTagValue:false keeps every value a string: keys, ETags and upload ids such as `123`
// or `1e5` must never become numbers. trimValues:false keeps keys with edge spaces intact.
const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  removeNSPrefix: true,
  isArray: (name) => REPEATED.has(name),
  entityDecoder: strictEntityDecoder,
  maxNestedTags: MAX_DEPTH,
});

// Escaping is ours (escapeXmlText) rather than the builder's, which leaves CR, tab, LF and
// characters XML cannot carry raw.
const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: false,
  processEntities: false,
  tagValueProcessor: (_name, value) => (typeof value === 'string' ? escapeXmlText(value) : value),
  attributeValueProcessor: (_name, value) =>
    typeof value === 'string' ? escapeXmlText(value) : value,
});

export type XmlNode = Record<string, unknown>;

/**
 * Parses a request body as XML and returns the root element's content, checking the root's
 * name. Anything malformed, or a different root, is S3's `MalformedXML`.
 */
export function parseXmlBody(body: string, rootName: string): XmlNode {
  let doc: XmlNode;
  try {
    doc = parseDocument(body);
  } catch (error) {
    if (error instanceof XmlSyntaxError) throw new S3Error('MalformedXML');
    throw error;
  }
  const root = doc[rootName];
  if (root === undefined || Array.isArray(root)) throw new S3Error('MalformedXML');
  if (typeof root === 'string') return {};
  return root as XmlNode;
}

/**
 * Reads a well-formed document without a DTD. A DOCTYPE is refused before parsing, wherever
 * it is (the parser reads one even inside an element): no S3 document has one, and entity
 * declarations are how a small body becomes a huge or hostile one. The only cost is that a
 * CDATA section or a comment cannot contain the text `<!DOCTYPE`; SDKs send neither.
 */
function parseDocument(body: string): XmlNode {
  if (body.trim() === '') throw new XmlSyntaxError('the document is empty');
  if (/<!DOCTYPE/i.test(body)) throw new XmlSyntaxError('a DTD is not accepted');
  if (firstNonXmlChar(body) !== undefined)
    throw new XmlSyntaxError('a character XML 1.0 cannot carry');
  try {
    if (XMLValidator.validate(body) === true) return parser.parse(body) as XmlNode;
  } catch (error) {
    // fast-xml-parser throws plain Errors, all about the document (depth, reserved names
    // such as `__proto__`, entities): every one is the client's malformed XML.
    throw new XmlSyntaxError((error as Error).message, { cause: error });
  }
  throw new XmlSyntaxError('not well-formed');
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

/** The text of every child element named `name` (one or many), in document order. */
export function texts(node: XmlNode, name: string): string[] {
  const value = node[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((v: unknown) => text({ v }, 'v') ?? '');
}

export function isoDate(date: Date): string {
  return date.toISOString();
}
