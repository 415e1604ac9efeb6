/**
 * Lambda's REST paths (the `http` traits of botocore `lambda/2015-03-31/service-2.json`),
 * mapped to the operations Vigil answers, with the IAM action each needs and the largest
 * body it takes.
 */

export type OperationName =
  | 'CreateFunction'
  | 'ListFunctions'
  | 'GetFunction'
  | 'GetFunctionConfiguration'
  | 'DeleteFunction'
  | 'UpdateFunctionCode'
  | 'UpdateFunctionConfiguration'
  | 'Invoke'
  | 'AddPermission'
  | 'GetPolicy'
  | 'RemovePermission'
  | 'PutFunctionEventInvokeConfig'
  | 'GetFunctionEventInvokeConfig'
  | 'UpdateFunctionEventInvokeConfig'
  | 'DeleteFunctionEventInvokeConfig';

export interface RoutedRequest {
  operation: OperationName;
  /** The `{FunctionName}` label, decoded (absent for CreateFunction and ListFunctions). */
  functionName?: string;
  /** RemovePermission's `{StatementId}`. */
  statementId?: string;
  query: URLSearchParams;
}

/** Lambda's direct-upload request limit: "Request must be smaller than 69905067 bytes". */
export const MAX_CODE_REQUEST_BYTES = 69_905_067;
/** Lambda's synchronous invocation payload limit. */
export const MAX_INVOKE_REQUEST_BYTES = 6 * 1024 * 1024;
const MAX_OTHER_REQUEST_BYTES = 1024 * 1024;

const TABLE: [string, RegExp, OperationName][] = [
  ['POST', /^\/2015-03-31\/functions\/?$/, 'CreateFunction'],
  ['GET', /^\/2015-03-31\/functions\/?$/, 'ListFunctions'],
  ['GET', /^\/2015-03-31\/functions\/([^/]+)\/?$/, 'GetFunction'],
  ['DELETE', /^\/2015-03-31\/functions\/([^/]+)\/?$/, 'DeleteFunction'],
  ['GET', /^\/2015-03-31\/functions\/([^/]+)\/configuration\/?$/, 'GetFunctionConfiguration'],
  ['PUT', /^\/2015-03-31\/functions\/([^/]+)\/configuration\/?$/, 'UpdateFunctionConfiguration'],
  ['PUT', /^\/2015-03-31\/functions\/([^/]+)\/code\/?$/, 'UpdateFunctionCode'],
  ['POST', /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/, 'Invoke'],
  ['POST', /^\/2015-03-31\/functions\/([^/]+)\/policy\/?$/, 'AddPermission'],
  ['GET', /^\/2015-03-31\/functions\/([^/]+)\/policy\/?$/, 'GetPolicy'],
  ['DELETE', /^\/2015-03-31\/functions\/([^/]+)\/policy\/([^/]+)\/?$/, 'RemovePermission'],
  [
    'PUT',
    /^\/2019-09-25\/functions\/([^/]+)\/event-invoke-config\/?$/,
    'PutFunctionEventInvokeConfig',
  ],
  [
    'GET',
    /^\/2019-09-25\/functions\/([^/]+)\/event-invoke-config\/?$/,
    'GetFunctionEventInvokeConfig',
  ],
  [
    'POST',
    /^\/2019-09-25\/functions\/([^/]+)\/event-invoke-config\/?$/,
    'UpdateFunctionEventInvokeConfig',
  ],
  [
    'DELETE',
    /^\/2019-09-25\/functions\/([^/]+)\/event-invoke-config\/?$/,
    'DeleteFunctionEventInvokeConfig',
  ],
];

/** The operation a request asks for, or undefined for one Vigil does not answer. */
export function routeRequest(method: string, rawUrl: string): RoutedRequest | undefined {
  let url: URL;
  try {
    url = new URL(rawUrl, 'http://lambda');
  } catch {
    return undefined;
  }
  for (const [verb, pattern, operation] of TABLE) {
    if (verb !== method) continue;
    const match = pattern.exec(url.pathname);
    if (!match) continue;
    return {
      operation,
      ...(match[1] !== undefined ? { functionName: decodeURIComponent(match[1]) } : {}),
      ...(match[2] !== undefined ? { statementId: decodeURIComponent(match[2]) } : {}),
      query: url.searchParams,
    };
  }
  return undefined;
}

export function maxBodyBytes(operation: OperationName): number {
  if (operation === 'CreateFunction' || operation === 'UpdateFunctionCode')
    return MAX_CODE_REQUEST_BYTES;
  if (operation === 'Invoke') return MAX_INVOKE_REQUEST_BYTES;
  return MAX_OTHER_REQUEST_BYTES;
}

/** The IAM action of each operation (`lambda:<Operation>`, Invoke's is `InvokeFunction`). */
export function actionOf(operation: OperationName): string {
  return `lambda:${operation === 'Invoke' ? 'InvokeFunction' : operation}`;
}

/** Operations Vigil answers, for the message of an unknown one. */
export const OPERATION_NAMES: readonly OperationName[] = TABLE.map(([, , name]) => name);
