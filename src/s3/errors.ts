/**
 * The catalogue of S3 errors Vigil returns. Every failure the S3 API reports is an
 * `S3Error` with one of these codes; `renderS3Error` (in `xml.ts`) turns it into S3's XML
 * error document. Codes, statuses and messages follow the S3 API reference's error list.
 */
export const S3_ERRORS = {
  AccessDenied: { status: 403, message: 'Access Denied' },
  ExpiredToken: { status: 400, message: 'The provided token has expired.' },
  InvalidToken: { status: 400, message: 'The provided token is malformed or otherwise invalid.' },
  MalformedPolicy: {
    status: 400,
    message: "Policies must be valid JSON and the first byte must be '{'",
  },
  NoSuchBucketPolicy: { status: 404, message: 'The bucket policy does not exist' },
  AuthorizationHeaderMalformed: {
    status: 400,
    message: 'The authorization header is malformed.',
  },
  AuthorizationQueryParametersError: {
    status: 400,
    message: 'Error parsing the X-Amz-Credential parameter.',
  },
  BadDigest: {
    status: 400,
    message:
      'The Content-MD5 or checksum value that you specified did not match what the server received.',
  },
  BucketAlreadyExists: {
    status: 409,
    message:
      'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
  },
  BucketAlreadyOwnedByYou: {
    status: 409,
    message: 'Your previous request to create the named bucket succeeded and you already own it.',
  },
  BucketNotEmpty: { status: 409, message: 'The bucket you tried to delete is not empty' },
  EntityTooLarge: {
    status: 400,
    message: 'Your proposed upload exceeds the maximum allowed size',
  },
  EntityTooSmall: {
    status: 400,
    message: 'Your proposed upload is smaller than the minimum allowed object size.',
  },
  IncompleteBody: {
    status: 400,
    message: 'You did not provide the number of bytes specified by the Content-Length HTTP header.',
  },
  InternalError: {
    status: 500,
    message: 'We encountered an internal error. Please try again.',
  },
  InvalidAccessKeyId: {
    status: 403,
    message: 'The AWS Access Key Id you provided does not exist in our records.',
  },
  InvalidArgument: { status: 400, message: 'Invalid Argument' },
  InvalidBucketName: { status: 400, message: 'The specified bucket is not valid.' },
  InvalidDigest: {
    status: 400,
    message: 'The Content-MD5 you specified is not valid.',
  },
  InvalidPart: {
    status: 400,
    message:
      "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
  },
  InvalidPartOrder: {
    status: 400,
    message: 'The list of parts was not in ascending order. Parts must be ordered by part number.',
  },
  InvalidPartNumber: { status: 416, message: 'The requested partnumber is not satisfiable' },
  InvalidRange: { status: 416, message: 'The requested range is not satisfiable' },
  InvalidRequest: { status: 400, message: 'Invalid Request' },
  InvalidPolicyDocument: {
    status: 400,
    message:
      'The content of the form does not meet the conditions specified in the policy document.',
  },
  MaxPostPreDataLengthExceededError: {
    status: 400,
    message: 'Your POST request fields preceding the upload file were too large.',
  },
  MalformedPOSTRequest: {
    status: 400,
    message: 'The body of your POST request is not well-formed multipart/form-data.',
  },
  InvalidURI: { status: 400, message: "Couldn't parse the specified URI." },
  InvalidTag: { status: 400, message: 'The tag provided was not a valid tag.' },
  InvalidObjectState: {
    status: 403,
    message: "The operation is not valid for the object's storage class",
  },
  RestoreAlreadyInProgress: { status: 409, message: 'Object restore is already in progress' },
  InvalidStorageClass: {
    status: 400,
    message: 'The storage class you specified is not valid',
  },
  KeyTooLongError: { status: 400, message: 'Your key is too long' },
  MalformedXML: {
    status: 400,
    message:
      'The XML you provided was not well-formed or did not validate against our published schema',
  },
  MetadataTooLarge: {
    status: 400,
    message: 'Your metadata headers exceed the maximum allowed metadata size.',
  },
  MethodNotAllowed: {
    status: 405,
    message: 'The specified method is not allowed against this resource.',
  },
  AccessForbidden: { status: 403, message: 'CORSResponse: CORS is not enabled for this bucket.' },
  BadRequest: { status: 400, message: 'Insufficient information. Origin request header needed.' },
  NoSuchCORSConfiguration: { status: 404, message: 'The CORS configuration does not exist' },
  NoSuchLifecycleConfiguration: {
    status: 404,
    message: 'The lifecycle configuration does not exist',
  },
  AccessControlListNotSupported: { status: 400, message: 'The bucket does not allow ACLs' },
  InvalidBucketAclWithObjectOwnership: {
    status: 400,
    message: "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
  },
  MissingContentLength: {
    status: 411,
    message: 'You must provide the Content-Length HTTP header.',
  },
  MissingSecurityHeader: {
    status: 400,
    message: 'Your request is missing a required header.',
  },
  NoSuchBucket: { status: 404, message: 'The specified bucket does not exist' },
  NoSuchKey: { status: 404, message: 'The specified key does not exist.' },
  NoSuchUpload: {
    status: 404,
    message:
      'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
  },
  NoSuchVersion: { status: 404, message: 'The specified version does not exist.' },
  NoSuchTagSet: { status: 404, message: 'The TagSet does not exist' },
  NotImplemented: {
    status: 501,
    message: 'A header you provided implies functionality that is not implemented',
  },
  PreconditionFailed: {
    status: 412,
    message: 'At least one of the pre-conditions you specified did not hold',
  },
  RequestTimeTooSkewed: {
    status: 403,
    message: "The difference between the request time and the server's time is too large.",
  },
  RequestTimeout: {
    status: 400,
    message:
      'Your socket connection to the server was not read from or written to within the timeout period.',
  },
  ServiceUnavailable: {
    status: 503,
    message: 'Please reduce your request rate.',
  },
  SignatureDoesNotMatch: {
    status: 403,
    message:
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
  },
  XAmzContentSHA256Mismatch: {
    status: 400,
    message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
  },
} as const satisfies Record<string, { status: number; message: string }>;

export type S3ErrorCode = keyof typeof S3_ERRORS;

/** A failure the S3 API reports to the client as an S3 XML error document. */
export class S3Error extends Error {
  readonly code: S3ErrorCode;
  readonly status: number;
  /** Extra elements S3 adds to the error document (e.g. `BucketName`, `Key`, `ArgumentName`). */
  readonly details: Record<string, string>;
  /** Extra response headers (e.g. `Allow` on 405). */
  readonly headers: Record<string, string>;

  constructor(
    code: S3ErrorCode,
    message?: string,
    details: Record<string, string> = {},
    headers: Record<string, string> = {},
  ) {
    super(message ?? S3_ERRORS[code].message);
    this.name = 'S3Error';
    this.code = code;
    this.status = S3_ERRORS[code].status;
    this.details = details;
    this.headers = headers;
  }
}

/** `InvalidArgument` with the `ArgumentName`/`ArgumentValue` pair S3 includes. */
export function invalidArgument(message: string, name: string, value: string): S3Error {
  return new S3Error('InvalidArgument', message, { ArgumentName: name, ArgumentValue: value });
}
