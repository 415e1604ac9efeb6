import type { S3ServiceException } from '@aws-sdk/client-s3';

/** Awaits a request that must fail and returns the SDK's error. */
export async function errorOf(promise: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await promise;
  } catch (error) {
    return error as S3ServiceException;
  }
  throw new Error('expected the request to fail');
}
