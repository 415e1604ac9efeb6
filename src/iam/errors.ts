/**
 * IAM's coded errors, as its Query API answers them (`<ErrorResponse><Error><Type>`,
 * `<Code>`, `<Message>`), with the HTTP status IAM sends for each code.
 */
export type IamErrorCode =
  | 'NoSuchEntity'
  | 'EntityAlreadyExists'
  | 'DeleteConflict'
  | 'LimitExceeded'
  | 'MalformedPolicyDocument'
  | 'ValidationError'
  | 'InvalidInput'
  | 'InvalidAction'
  | 'AccessDenied'
  | 'InvalidClientTokenId'
  | 'SignatureDoesNotMatch'
  | 'IncompleteSignature'
  | 'MissingAuthenticationToken'
  | 'UnmodifiableEntity';

const STATUS: Record<IamErrorCode, number> = {
  NoSuchEntity: 404,
  EntityAlreadyExists: 409,
  DeleteConflict: 409,
  LimitExceeded: 409,
  MalformedPolicyDocument: 400,
  ValidationError: 400,
  InvalidInput: 400,
  InvalidAction: 400,
  AccessDenied: 403,
  InvalidClientTokenId: 403,
  SignatureDoesNotMatch: 403,
  IncompleteSignature: 400,
  MissingAuthenticationToken: 403,
  UnmodifiableEntity: 400,
};

export class IamError extends Error {
  readonly status: number;

  constructor(
    readonly code: IamErrorCode,
    message: string,
  ) {
    super(message);
    this.name = code;
    this.status = STATUS[code];
  }

  /** `Sender` for the caller's faults, as IAM types every error it documents. */
  get type(): 'Sender' | 'Receiver' {
    return this.status >= 500 ? 'Receiver' : 'Sender';
  }
}
