/**
 * The text a client meant by a header value. Node decodes header bytes as Latin-1; a client
 * that sends UTF-8 (the AWS SDKs sign and send metadata as UTF-8) means the text those bytes
 * spell in UTF-8. Bytes that are not valid UTF-8 were meant as Latin-1 and are kept as such.
 *
 * @example
 * headerText('ZoÃ«'); // 'Zoë' (the bytes 5A 6F C3 AB)
 */
export function headerText(value: string): string {
  if (!/[^\p{ASCII}]/u.test(value)) return value;
  const bytes = Buffer.from(value, 'latin1');
  const decoded = bytes.toString('utf8');
  return Buffer.from(decoded, 'utf8').equals(bytes) ? decoded : value;
}
