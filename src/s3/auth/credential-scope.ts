/**
 * The credential `AKID/YYYYMMDD/region/service/aws4_request` and the checks S3 applies to it.
 * Header and query authentication report the same faults under different codes and prefixes.
 */
import { S3Error } from '../errors.js';

export type AuthLocation = 'header' | 'query';

export interface Credential {
  accessKeyId: string;
  /** `YYYYMMDD`. */
  date: string;
  region: string;
  service: string;
}

/** A malformed-authorization error worded as S3 words it for the header or the query. */
export function malformedAuthorization(location: AuthLocation, reason: string): S3Error {
  return location === 'header'
    ? new S3Error(
        'AuthorizationHeaderMalformed',
        `The authorization header is malformed; ${reason}`,
      )
    : new S3Error(
        'AuthorizationQueryParametersError',
        `Error parsing the X-Amz-Credential parameter; ${reason}`,
      );
}

/**
 * Parses and checks a credential against the signing time and the accepted services. Any
 * region is accepted: the signature is still computed with it, so it is authenticated.
 *
 * @throws S3Error (AuthorizationHeaderMalformed / AuthorizationQueryParametersError).
 */
export function parseCredential(
  value: string,
  location: AuthLocation,
  amzDate: string,
  services: readonly string[],
): Credential {
  const parts = value.split('/');
  const [accessKeyId, date, region, service, terminator] = parts;
  if (
    parts.length !== 5 ||
    !accessKeyId ||
    !date ||
    !region ||
    !service ||
    terminator === undefined ||
    !/^\d{8}$/.test(date)
  ) {
    throw malformedAuthorization(
      location,
      'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
    );
  }
  if (terminator !== 'aws4_request') {
    throw malformedAuthorization(
      location,
      `incorrect terminal "${terminator}". This endpoint uses "aws4_request".`,
    );
  }
  if (!services.includes(service)) {
    throw malformedAuthorization(
      location,
      `incorrect service "${service}". This endpoint belongs to "${services.join('", "')}".`,
    );
  }
  if (date !== amzDate.slice(0, 8)) {
    throw malformedAuthorization(
      location,
      'Invalid credential date. Date is not the same as X-Amz-Date.',
    );
  }
  return { accessKeyId, date, region, service };
}

export function scopeOf(credential: Credential): string {
  return `${credential.date}/${credential.region}/${credential.service}/aws4_request`;
}
