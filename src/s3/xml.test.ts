import { describe, expect, it } from 'vitest';
import { S3Error } from './errors.js';
import { buildXml, children, parseXmlBody, text } from './xml.js';

describe('S3 XML', () => {
  it('keeps values that look like numbers or booleans as exact strings', () => {
    const root = parseXmlBody(
      '<Delete><Object><Key>123</Key></Object><Object><Key>1e5</Key></Object><Object><Key> 007 </Key></Object><Quiet>true</Quiet></Delete>',
      'Delete',
    );
    expect(children(root, 'Object').map((o) => text(o, 'Key'))).toEqual(['123', '1e5', ' 007 ']);
    expect(text(root, 'Quiet')).toBe('true');
  });
  it('parses a single repeated element as a list', () => {
    const root = parseXmlBody(
      '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"0x10"</ETag></Part></CompleteMultipartUpload>',
      'CompleteMultipartUpload',
    );
    expect(children(root, 'Part').map((p) => text(p, 'ETag'))).toEqual(['"0x10"']);
  });
  it.each(['', '<Delete><Object></Delete>', 'not xml', '<Other/>'])(
    'rejects %j as MalformedXML',
    (body) => {
      expect(() => parseXmlBody(body, 'Delete')).toThrow(S3Error);
    },
  );
  it('escapes keys on output', () => {
    expect(buildXml('R', { Key: 'a&b<c>"d' })).toContain('<Key>a&amp;b&lt;c&gt;&quot;d</Key>');
  });
});
