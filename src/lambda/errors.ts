/**
 * The errors of Vigil's Lambda API, as Lambda names them. Operations throw them; the wire
 * layer renders them as Lambda's REST-JSON errors: the code in `x-amzn-ErrorType`, the body
 * `{"Type": "User", "Message": …}` (`Type: Service` for 5xx), the status below.
 *
 * Codes and statuses: botocore `lambda/2015-03-31/service-2.json` (each error shape's
 * `httpStatusCode`). Messages are Lambda's where its wording is known (cited at the
 * constructor); Vigil's own otherwise.
 */
export type LambdaErrorCode =
  | 'AccessDeniedException'
  | 'IncompleteSignatureException'
  | 'InvalidParameterValueException'
  | 'InvalidRequestContentException'
  | 'InvalidSignatureException'
  | 'MissingAuthenticationTokenException'
  | 'PreconditionFailedException'
  | 'RequestEntityTooLargeException'
  | 'ResourceConflictException'
  | 'ResourceNotFoundException'
  | 'ServiceException'
  | 'UnknownOperationException'
  | 'UnrecognizedClientException'
  | 'ValidationException';

const STATUS: Record<LambdaErrorCode, number> = {
  AccessDeniedException: 403,
  IncompleteSignatureException: 400,
  InvalidParameterValueException: 400,
  InvalidRequestContentException: 400,
  InvalidSignatureException: 403,
  MissingAuthenticationTokenException: 403,
  PreconditionFailedException: 412,
  RequestEntityTooLargeException: 413,
  ResourceConflictException: 409,
  ResourceNotFoundException: 404,
  ServiceException: 500,
  UnknownOperationException: 404,
  UnrecognizedClientException: 403,
  ValidationException: 400,
};

export class LambdaError extends Error {
  override readonly name = 'LambdaError';
  readonly status: number;

  constructor(
    readonly code: LambdaErrorCode,
    message: string,
  ) {
    super(message);
    this.status = STATUS[code];
  }
}

export const invalidParameter = (message: string): LambdaError =>
  new LambdaError('InvalidParameterValueException', message);

/** Lambda's wording: `Function not found: arn:aws:lambda:…:function:name`. */
export const functionNotFound = (arn: string): LambdaError =>
  new LambdaError('ResourceNotFoundException', `Function not found: ${arn}`);

/** Lambda's wording on CreateFunction for a name in use. */
export const functionExists = (name: string): LambdaError =>
  new LambdaError('ResourceConflictException', `Function already exist: ${name}`);

/** Lambda's wording when IAM will not let it assume the role. */
export const roleNotAssumable = (): LambdaError =>
  invalidParameter('The role defined for the function cannot be assumed by Lambda.');

/** A function from Vigil's config file: the API shows it but cannot change it. */
export const configFunction = (name: string): LambdaError =>
  invalidParameter(
    `Function ${name} is declared in Vigil's config file (or built in) and cannot be changed through the Lambda API; edit the config file instead.`,
  );

/** Lambda's wording for a stale RevisionId. */
export const revisionMismatch = (): LambdaError =>
  new LambdaError(
    'PreconditionFailedException',
    'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
  );

/**
 * A model constraint broken, in the AWS front end's words:
 * `1 validation error detected: Value '0' at 'timeout' failed to satisfy constraint: Member
 * must have value greater than or equal to 1`.
 */
export function constraintError(
  at: string,
  value: string | number | null,
  constraint: string,
): LambdaError {
  const shown = value === null ? 'null' : `'${value}'`;
  return new LambdaError(
    'ValidationException',
    `1 validation error detected: Value ${shown} at '${at}' failed to satisfy constraint: ${constraint}`,
  );
}
