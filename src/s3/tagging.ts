import type { Tag } from '../storage/index.js';
import { S3Error } from './errors.js';
import { children, parseXmlBody, text } from './xml.js';

export const MAX_TAGS = 10;
export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 256;

/** Characters S3 allows in tag keys and values: letters, numbers, spaces and + - = . _ : / @. */
const ALLOWED = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** Checks a tag set against S3's limits; throws `InvalidTag` (or `BadRequest`-style) errors. */
export function validateTags(tags: Tag[]): Tag[] {
  if (tags.length > MAX_TAGS)
    throw new S3Error('InvalidTag', 'Object tags cannot be greater than 10');
  const seen = new Set<string>();
  for (const tag of tags) {
    if ([...tag.Key].length === 0 || [...tag.Key].length > MAX_TAG_KEY_LENGTH) {
      throw new S3Error('InvalidTag', 'The TagKey you have provided is too long, max 128', {
        TagKey: tag.Key,
      });
    }
    if ([...tag.Value].length > MAX_TAG_VALUE_LENGTH) {
      throw new S3Error('InvalidTag', 'The TagValue you have provided is too long, max 256', {
        TagKey: tag.Key,
        TagValue: tag.Value,
      });
    }
    if (!ALLOWED.test(tag.Key) || !ALLOWED.test(tag.Value)) {
      throw new S3Error('InvalidTag', 'The TagKey you have provided is invalid', {
        TagKey: tag.Key,
      });
    }
    if (tag.Key.startsWith('aws:')) {
      throw new S3Error('InvalidTag', 'Your TagKey cannot be prefixed with aws:', {
        TagKey: tag.Key,
      });
    }
    if (seen.has(tag.Key)) {
      throw new S3Error('InvalidTag', 'Cannot provide multiple Tags with the same key', {
        TagKey: tag.Key,
      });
    }
    seen.add(tag.Key);
  }
  return tags;
}

/** Parses the `x-amz-tagging` header (URL query form: `k1=v1&k2=v2`). */
export function parseTaggingHeader(header: string | undefined): Tag[] {
  if (header === undefined || header === '') return [];
  const tags: Tag[] = [];
  for (const [Key, Value] of new URLSearchParams(header)) tags.push({ Key, Value });
  return validateTags(tags);
}

/** Parses a PutObjectTagging body (`<Tagging><TagSet><Tag>…`). */
export function parseTaggingXml(body: string): Tag[] {
  const root = parseXmlBody(body, 'Tagging');
  const tagSet = root['TagSet'];
  if (tagSet === undefined) throw new S3Error('MalformedXML');
  const tags = children(
    typeof tagSet === 'object' && tagSet !== null ? (tagSet as Record<string, unknown>) : {},
    'Tag',
  ).map((node) => {
    const Key = text(node, 'Key');
    const Value = text(node, 'Value');
    if (Key === undefined || Value === undefined) throw new S3Error('MalformedXML');
    return { Key, Value };
  });
  return validateTags(tags);
}
