/**
 * The operations of Vigil's Lambda API, request to response, once the caller is known and
 * allowed. Shapes: botocore `lambda/2015-03-31/service-2.json`; behaviour: the Lambda API
 * reference page of each operation.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FunctionRuntimeError, functionArn, type FunctionRuntime } from '../functions/index.js';
import type { LambdaControlPlane } from './control-plane.js';
import { invalidParameter, LambdaError } from './errors.js';
import { optionalObject, optionalString, type Input } from './input.js';
import { functionName, type Scope } from './names.js';
import type { RoutedRequest } from './routes.js';
import { sendJson } from './wire.js';

export interface OperationContext {
  plane: LambdaControlPlane;
  runtime: FunctionRuntime;
  scope: Scope;
  /** A URL the code package can be downloaded from, for GetFunction. */
  codeUrl(codeId: string): string;
}

export interface Call {
  route: RoutedRequest;
  /** The function's name, resolved from the path (or CreateFunction's body). */
  name: string;
  body: Buffer;
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
}

/** Lambda's log tail: the last 4 KB of the invocation's log. */
const LOG_TAIL_BYTES = 4096;
const MAX_LIST_ITEMS = 10_000;

export async function perform(call: Call, context: OperationContext): Promise<void> {
  const { route, name, res, requestId } = call;
  const { plane } = context;
  const json = (status: number, body?: object) => sendJson(res, status, requestId, body);
  switch (route.operation) {
    case 'CreateFunction': {
      const input = parseJson(call.body);
      return json(201, await plane.create(name, input, zipOf(input['Code'], 'Code')));
    }
    case 'ListFunctions':
      return json(200, list(route.query, context));
    case 'GetFunction': {
      const codeId = plane.codeId(name);
      return json(200, {
        Configuration: plane.get(name),
        Code: {
          RepositoryType: 'S3',
          ...(codeId ? { Location: context.codeUrl(codeId) } : {}),
        },
      });
    }
    case 'GetFunctionConfiguration':
      return json(200, plane.get(name));
    case 'DeleteFunction':
      await plane.delete(name);
      return json(204);
    case 'UpdateFunctionCode': {
      const input = parseJson(call.body);
      return json(200, await plane.updateCode(name, input, zipOf(input, 'ZipFile')));
    }
    case 'UpdateFunctionConfiguration':
      return json(200, await plane.updateConfiguration(name, parseJson(call.body)));
    case 'Invoke':
      return invoke(call, context);
    case 'AddPermission':
      return json(201, { Statement: await plane.addPermission(name, parseJson(call.body)) });
    case 'GetPolicy':
      return json(200, plane.getPolicy(name));
    case 'RemovePermission':
      await plane.removePermission(
        name,
        call.route.statementId!,
        route.query.get('RevisionId') ?? undefined,
      );
      return json(204);
    case 'PutFunctionEventInvokeConfig':
    case 'UpdateFunctionEventInvokeConfig':
      return json(
        200,
        await plane.putEventInvokeConfig(
          name,
          parseJson(call.body),
          route.operation === 'PutFunctionEventInvokeConfig',
        ),
      );
    case 'GetFunctionEventInvokeConfig':
      return json(200, plane.getEventInvokeConfig(name));
    case 'DeleteFunctionEventInvokeConfig':
      await plane.deleteEventInvokeConfig(name);
      return json(204);
  }
}

/** The function a request names: the path's label, or CreateFunction's `FunctionName`. */
export function nameOf(route: RoutedRequest, body: Buffer, scope: Scope): string | undefined {
  if (route.operation === 'ListFunctions') return undefined;
  const raw =
    route.functionName ??
    optionalString(parseJson(body), 'FunctionName') ??
    (() => {
      throw new LambdaError(
        'ValidationException',
        "1 validation error detected: Value null at 'functionName' failed to satisfy constraint: Member must not be null",
      );
    })();
  return functionName(raw, scope, route.query.get('Qualifier') ?? undefined);
}

export function parseJson(body: Buffer): Input {
  let input: unknown;
  try {
    input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    throw new LambdaError(
      'InvalidRequestContentException',
      'Could not parse request body into json',
    );
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new LambdaError(
      'InvalidRequestContentException',
      'The request body must be a JSON object.',
    );
  return input as Input;
}

/** The zip of `Code.ZipFile` (CreateFunction) or `ZipFile` (UpdateFunctionCode), base64. */
function zipOf(holder: unknown, member: 'Code' | 'ZipFile'): Buffer {
  const code = member === 'Code' ? optionalObject({ Code: holder }, 'Code') : (holder as Input);
  if (!code) throw invalidParameter('Code is required: give Code.ZipFile, the zip in base64.');
  for (const s3 of ['S3Bucket', 'S3Key', 'S3ObjectVersion', 'ImageUri'])
    if (code[s3] !== undefined && code[s3] !== null)
      throw invalidParameter(
        `Vigil takes code only as a zip in the request (ZipFile, the CLI's --zip-file fileb://…); not ${s3}.`,
      );
  const zip = optionalString(code, 'ZipFile');
  if (zip === undefined || zip === '')
    throw invalidParameter('Please provide a source for function code.');
  return Buffer.from(zip, 'base64');
}

function list(query: URLSearchParams, { plane }: OperationContext): object {
  const max = Number(query.get('MaxItems') ?? 50);
  if (!Number.isInteger(max) || max < 1 || max > MAX_LIST_ITEMS)
    throw new LambdaError(
      'ValidationException',
      `1 validation error detected: Value '${query.get('MaxItems')}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and ${MAX_LIST_ITEMS}`,
    );
  const marker = query.get('Marker');
  const after = marker ? Buffer.from(marker, 'base64url').toString('utf8') : undefined;
  const names = plane.names().filter((n) => after === undefined || n > after);
  const page = names.slice(0, max);
  return {
    Functions: page.map((n) => plane.get(n)),
    ...(names.length > max ? { NextMarker: Buffer.from(page.at(-1)!).toString('base64url') } : {}),
  };
}

async function invoke(call: Call, context: OperationContext): Promise<void> {
  const { req, res, name, requestId } = call;
  const type = header(req, 'x-amz-invocation-type') ?? 'RequestResponse';
  const traceHeader = header(req, 'x-amzn-trace-id');
  if (!context.runtime.has(name)) throw notFound(context.scope, name);
  const payload = call.body.length === 0 ? '{}' : call.body.toString('utf8');
  try {
    if (type === 'DryRun') {
      sendJson(res, 204, requestId);
      return;
    }
    if (type === 'Event') {
      let event: unknown;
      try {
        event = JSON.parse(payload);
      } catch {
        throw new LambdaError(
          'InvalidRequestContentException',
          'Could not parse request body into json',
        );
      }
      await context.runtime.invoke(name, event, traceHeader ? { traceHeader } : {});
      res.writeHead(202, { 'content-length': 0, 'x-amzn-RequestId': requestId });
      res.end();
      return;
    }
    if (type !== 'RequestResponse')
      throw new LambdaError(
        'ValidationException',
        `1 validation error detected: Value '${type}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`,
      );
    const result = await context.runtime.invokeNow(
      name,
      payload,
      traceHeader ? { traceHeader } : {},
    );
    const tail = header(req, 'x-amz-log-type') === 'Tail';
    const logs = Buffer.from(result.logs);
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(result.payload),
      'x-amzn-RequestId': result.requestId,
      'X-Amz-Executed-Version': '$LATEST',
      ...(result.error ? { 'X-Amz-Function-Error': 'Unhandled' } : {}),
      ...(tail
        ? {
            'X-Amz-Log-Result': logs
              .subarray(Math.max(0, logs.length - LOG_TAIL_BYTES))
              .toString('base64'),
          }
        : {}),
    });
    res.end(result.payload);
  } catch (error) {
    if (error instanceof FunctionRuntimeError) throw fromRuntime(error);
    throw error;
  }
}

function fromRuntime(error: FunctionRuntimeError): LambdaError {
  if (error.code === 'ServiceUnavailable')
    return new LambdaError('ServiceException', error.message);
  return new LambdaError(error.code, error.message);
}

function notFound(scope: Scope, name: string): LambdaError {
  return new LambdaError(
    'ResourceNotFoundException',
    `Function not found: ${functionArn(scope, name)}`,
  );
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
