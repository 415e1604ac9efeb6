import { describe, expect, it } from 'vitest';
import { createdObject, decodeS3Key, eventRecords, unquoteEtag, writeIdOf } from './event.js';
import { FIRST_SEQUENCER, s3Record } from './fakes.test-helper.js';

describe('decodeS3Key', () => {
  it.each([
    ['a+b%2Bc.jpg', 'a b+c.jpg'],
    ['content/images/cat.jpg', 'content/images/cat.jpg'],
    ['content/images/%C3%BCn%C3%AF+c%C3%B6d%C3%A9.jpg', 'content/images/ünï cödé.jpg'],
    ['100%25+real.jpg', '100% real.jpg'],
    ['a%2Fb', 'a/b'],
    ['', ''],
  ])('%s → %s', (encoded, decoded) => {
    expect(decodeS3Key(encoded)).toBe(decoded);
  });

  it('is undefined for malformed percent-encoding', () => {
    expect(decodeS3Key('bad%E0%A4%A.jpg')).toBeUndefined();
    expect(decodeS3Key('100%.jpg')).toBeUndefined();
  });
});

describe('unquoteEtag', () => {
  it.each([
    ['"abc"', 'abc'],
    ['abc', 'abc'],
    ['"abc-2"', 'abc-2'],
    ['"', '"'],
  ])('%s → %s', (given, expected) => {
    expect(unquoteEtag(given)).toBe(expected);
  });
});

describe('createdObject', () => {
  it('reads an ObjectCreated record, key decoded', () => {
    expect(createdObject(s3Record('uploads', 'a+b%2Bc.jpg', 'abc', { size: 5 }))).toEqual({
      event: {
        bucket: 'uploads',
        key: 'a b+c.jpg',
        etag: 'abc',
        writeId: FIRST_SEQUENCER,
        sequencer: FIRST_SEQUENCER,
        size: 5,
        eventName: 'ObjectCreated:Put',
        eventTime: '2026-03-01T09:29:59.120Z',
      },
    });
  });

  it('identifies the write by its sequencer, else its version id, else its time and ETag', () => {
    const record = s3Record('b', 'k', '"e"', { sequencer: '00AF' });
    expect(writeIdOf(record)).toBe('00AF');
    record.s3.object.versionId = 'v1';
    expect(writeIdOf(record)).toBe('00AF');
    delete record.s3.object.sequencer;
    expect(writeIdOf(record)).toBe('version:v1');
    delete record.s3.object.versionId;
    expect(writeIdOf(record)).toBe('time:2026-03-01T09:29:59.120Z/e');
  });

  it.each(['ObjectCreated:Post', 'ObjectCreated:Copy', 'ObjectCreated:CompleteMultipartUpload'])(
    'accepts %s',
    (eventName) => {
      expect(createdObject(s3Record('b', 'k', 'e', { eventName }))).toHaveProperty('event');
    },
  );

  it('keeps the version id of a versioned bucket', () => {
    const record = s3Record('b', 'k', 'e');
    record.s3.object.versionId = '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY';
    expect(createdObject(record)).toMatchObject({
      event: { versionId: '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY' },
    });
  });

  it.each([
    ['ObjectTagging:Put', 'e', 'k', 'ObjectTagging:Put events are not moderated'],
    ['ObjectRemoved:Delete', 'e', 'k', 'ObjectRemoved:Delete events are not moderated'],
    ['ObjectCreated:Put', '', 'k', 'ObjectCreated:Put record has no eTag'],
    ['ObjectCreated:Put', 'e', '100%.jpg', 'key 100%.jpg is not form-URL-encoded'],
  ])('ignores %s (eTag %j, key %s)', (eventName, etag, key, reason) => {
    expect(createdObject(s3Record('b', key, etag, { eventName }))).toEqual({ ignored: reason });
  });
});

describe('eventRecords', () => {
  it('reads the records of an event message', () => {
    const record = s3Record('b', 'k', 'e');
    expect(eventRecords({ Records: [record, record] })).toEqual([record, record]);
  });

  it.each([
    ['an s3:TestEvent', { Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'b' }],
    ['null', null],
    ['a string', 'Records'],
  ])('finds none in %s', (_name, event) => {
    expect(eventRecords(event)).toEqual([]);
  });

  it('refuses a record without the fields it needs', () => {
    const broken = {
      eventName: 'ObjectCreated:Put',
      eventTime: 't',
      s3: { bucket: { name: 'b' } },
    };
    expect(() => eventRecords({ Records: [s3Record('b', 'k', 'e'), broken] })).toThrow(
      'Records[1] is not an S3 event record',
    );
  });
});
