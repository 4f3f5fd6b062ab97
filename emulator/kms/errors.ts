/**
 * The KMS (POP RPC) errors the emulator answers with, with their documented HTTP statuses.
 *
 * Sources:
 * - KMS API reference "Responses" / "Response structure" (AlibabaCloudDocs/kms,
 *   `intl.en-US/API Reference/Calling method/Responses.md`): InternalFailure 500,
 *   ServiceUnavailableTemporary 503, InvalidAccessKeyId.NotFound 404, Forbidden.KeyNotFound 404,
 *   Forbidden.AliasNotFound 404, Forbidden.NoPermission 403, MissingParameter 400, InvalidParameter 400,
 *   IncompleteSignature 400, IllegalTimestamp 400, AliasAlreadyExists 400, Rejected.* 409.
 * - KMS API reference "ScheduleKeyDeletion" / "DisableKey": `Throttling` is HTTP 400
 *   ("Request was denied due to request throttling.").
 * - "Impact of CMK states on API call": which state answers which `Rejected.*` code.
 * - POP gateway codes shared by every RPC product (not in the KMS pages): InvalidTimeStamp.Expired,
 *   InvalidTimeStamp.Format, SignatureNonceUsed, InvalidSignatureMethod, MissingSecurityToken,
 *   InvalidSecurityToken.MismatchWithAccessKey, InvalidVersion (all 400) and InvalidAction.NotFound (404),
 *   as listed by terraform-provider-alicloud's `common_errors.go` and seen in SDK test fixtures. The
 *   IncompleteSignature message ("... server string to sign is: ...") is the real POP body quoted in
 *   fog/fog-aliyun issue #32.
 */

export class KmsError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, status: number, message: string) {
    super(message);
    this.name = 'KmsError';
    this.code = code;
    this.status = status;
  }
}

export const kmsErrors = {
  keyNotFound: () => new KmsError('Forbidden.KeyNotFound', 404, 'The specified Key is not found.'),
  aliasNotFound: () => new KmsError('Forbidden.AliasNotFound', 404, 'The specified Alias is not found.'),
  aliasExists: () => new KmsError('AliasAlreadyExists', 400, 'AliasName Already Exists.'),
  stateModifiedFailed: () => new KmsError('Rejected.StateModifiedFailed', 409, 'Keystate modified failed.'),
  /** Inferred code: a service key is managed by its service ("Integration with KMS"); no KMS page names the error. */
  serviceKey: () =>
    new KmsError('Forbidden.NoPermission', 403, 'The service key is managed by its cloud service.'),
  missingParameter: (name: string) =>
    new KmsError('MissingParameter', 400, `The parameter "${name}" is needed but not provided.`),
  invalidParameter: (name: string) =>
    new KmsError('InvalidParameter', 400, `The specified parameter "${name}" is not valid.`),
  noPermission: () =>
    new KmsError('Forbidden.NoPermission', 403, 'This operation is forbidden by permission system.'),
  accessKeyNotFound: () =>
    new KmsError(
      'InvalidAccessKeyId.NotFound',
      404,
      'The AccessKey ID provided does not exist in our records.',
    ),
  incompleteSignature: (stringToSign: string) =>
    new KmsError(
      'IncompleteSignature',
      400,
      `The request signature does not conform to Aliyun standards. server string to sign is:${stringToSign}`,
    ),
  signatureMethod: () =>
    new KmsError('InvalidSignatureMethod', 400, 'Specified signature method is not supported.'),
  missingTimestamp: () =>
    new KmsError(
      'IllegalTimestamp',
      400,
      'The input parameter "Timestamp" that is mandatory for processing this request is not supplied.',
    ),
  timestampFormat: () =>
    new KmsError('InvalidTimeStamp.Format', 400, 'Specified time stamp or date value is not well formatted.'),
  timestampExpired: () =>
    new KmsError('InvalidTimeStamp.Expired', 400, 'Specified time stamp or date value is expired.'),
  nonceUsed: () => new KmsError('SignatureNonceUsed', 400, 'Specified signature nonce was used already.'),
  missingToken: () =>
    new KmsError('MissingSecurityToken', 400, 'SecurityToken is mandatory for this action.'),
  tokenMismatch: () =>
    new KmsError(
      'InvalidSecurityToken.MismatchWithAccessKey',
      400,
      'Specified SecurityToken mismatch with the AccessKey.',
    ),
  invalidVersion: () => new KmsError('InvalidVersion', 400, 'Specified parameter Version is not valid.'),
  actionNotFound: () =>
    new KmsError(
      'InvalidAction.NotFound',
      404,
      'Specified api is not found, please check your url and method.',
    ),
  throttling: (code = 'Throttling') =>
    new KmsError(code, 400, 'Request was denied due to request throttling.'),
  internal: (status = 500) =>
    status === 503
      ? new KmsError('ServiceUnavailableTemporary', 503, 'Service Unavailable Temporary.')
      : new KmsError('InternalFailure', status, 'Internal Failure.'),
} as const;
