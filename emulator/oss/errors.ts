/**
 * OSS error responses: the `OssError` a handler throws, and the catalogue of codes the emulator answers
 * with. Each entry says where its status, code, message and EC come from; `EC` values marked
 * "placeholder" were not found in the documentation and only keep the shape (`NNNN-NNNNNNNN`).
 * emulator/README.md lists every EC with its source.
 */

export class OssError extends Error {
  /** Extra elements placed between `<HostId>` and `<EC>` (e.g. `BucketName`, `Endpoint`, `StringToSign`). */
  readonly extra: Record<string, string>;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    extra: Record<string, string> = {},
    readonly ec = '0000-00000000',
  ) {
    super(message);
    this.name = 'OssError';
    this.extra = extra;
  }
}

/** Placeholder ECs of the 409 key-state errors (see kmsKeyState). */
const KMS_STATE_EC = {
  KeyDisabled: '0005-00000209',
  KeyPendingDeletion: '0005-00000210',
  KeyPendingImport: '0005-00000211',
} as const;

const e = (status: number, code: string, message: string, ec: string, extra: Record<string, string> = {}) =>
  new OssError(status, code, message, extra, ec);

export const errors = {
  // OSS API reference "DeleteBucket"/"GetBucketVersioning" samples (go-sdk-v2 fixtures): EC 0015-00000101.
  noSuchBucket: (bucket: string) =>
    e(404, 'NoSuchBucket', 'The specified bucket does not exist.', '0015-00000101', { BucketName: bucket }),
  // OSS "HTTP status code 404": NoSuchKey; EC 0026-00000001 (OSS error center).
  noSuchKey: (key: string) =>
    e(404, 'NoSuchKey', 'The specified key does not exist.', '0026-00000001', { Key: key }),
  // OSS API reference "GetBucketEncryption": 404 NoSuchServerSideEncryptionRule; EC 0005-00000004 (OSS
  // error center, the GetBucketEncryption-without-a-rule page).
  noSuchEncryptionRule: (bucket: string) =>
    e(
      404,
      'NoSuchServerSideEncryptionRule',
      'The server side encryption configuration was not found',
      '0005-00000004',
      {
        BucketName: bucket,
      },
    ),
  // OSS "HTTP status code 404": NoSuchUpload. EC placeholder.
  noSuchUpload: (uploadId: string) =>
    e(
      404,
      'NoSuchUpload',
      'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
      '0042-00000002',
      { UploadId: uploadId },
    ),
  // OSS "HTTP status code 403" / error center 0003-00000001.
  accessDenied: (message = 'You have no right to access this object because of bucket acl.') =>
    e(403, 'AccessDenied', message, '0003-00000001'),
  // OSS "HTTP status code 403": a presigned URL past its Expires.
  requestExpired: (expires: string, serverTime: string) =>
    e(403, 'AccessDenied', 'Request has expired.', '0002-00000069', {
      Expires: expires,
      ServerTime: serverTime,
    }),
  // OSS "HTTP status code 403": the endpoint of another region. The 2023 page gives AccessDenied, the 2026
  // "HTTP 403 errors" quick reference lists PermanentRedirect (403): the code is configurable.
  wrongEndpoint: (code: string, bucket: string, endpoint: string) =>
    e(
      403,
      code,
      'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.',
      '0003-00000001',
      { Bucket: bucket, Endpoint: endpoint },
    ),
  // OSS "HTTP 403 errors": InvalidAccessKeyId; error center 0002-00000002 (STS key unknown).
  invalidAccessKeyId: (akId: string) =>
    e(
      403,
      'InvalidAccessKeyId',
      'The OSS Access Key Id you provided does not exist in our records.',
      '0002-00000002',
      {
        OSSAccessKeyId: akId,
      },
    ),
  // OSS "HTTP 403 errors": InvalidSecurityToken; error center 0002-00000006.
  invalidSecurityToken: () =>
    e(403, 'InvalidSecurityToken', 'The security token you provided is invalid.', '0002-00000006'),
  // OSS "HTTP 403 errors": SignatureDoesNotMatch, body adds StringToSign and SignatureProvided. EC placeholder.
  signatureDoesNotMatch: (extra: Record<string, string>) =>
    e(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      '0002-00000040',
      extra,
    ),
  // OSS "HTTP 403 errors": RequestTimeTooSkewed (more than 15 minutes). EC placeholder.
  requestTimeTooSkewed: (requestTime: string, serverTime: string) =>
    e(
      403,
      'RequestTimeTooSkewed',
      'The difference between the request time and the current time is too large.',
      '0002-00000504',
      { RequestTime: requestTime, ServerTime: serverTime, MaxAllowedSkewMilliseconds: '900000' },
    ),
  // OSS "HTTP status code 400": InvalidArgument. The generic EC is a placeholder (0016-00000502 is the
  // documented EC of MissingArgument, wire-samples/oss-error.xml); SSE cases pass their error-center EC.
  invalidArgument: (message: string, name?: string, value?: string, ec = '0016-00000502') =>
    e(
      400,
      'InvalidArgument',
      message,
      ec,
      name === undefined ? {} : { ArgumentName: name, ArgumentValue: value ?? '' },
    ),
  // OSS error center 0005-00000003: unsupported SSEAlgorithm in PutBucketEncryption.
  invalidEncryptionAlgorithm: () =>
    e(
      400,
      'InvalidEncryptionAlgorithmError',
      'The Encryption request you specified is not valid. Supported value: AES256/KMS/SM4',
      '0005-00000003',
    ),
  // OSS "HTTP status code 400": MalformedXML. EC placeholder.
  malformedXml: () =>
    e(
      400,
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema.',
      '0016-00000608',
    ),
  // OSS "HTTP status code 400": InvalidBucketName.
  invalidBucketName: (bucket: string) =>
    e(400, 'InvalidBucketName', 'The specified bucket is not valid.', '0015-00000001', {
      BucketName: bucket,
    }),
  // OSS "HTTP status code 400": InvalidDigest (Content-MD5 mismatch).
  invalidDigest: () =>
    e(400, 'InvalidDigest', 'The Content-MD5 you specified is not valid.', '0016-00000101'),
  // OSS "HTTP status code 400": InvalidPart / InvalidPartOrder / EntityTooSmall (CompleteMultipartUpload).
  invalidPart: () =>
    e(
      400,
      'InvalidPart',
      "One or more of the specified parts could not be found or the specified entity tag might not have matched the part's entity tag.",
      '0042-00000216',
    ),
  invalidPartOrder: () =>
    e(
      400,
      'InvalidPartOrder',
      'The list of parts was not in ascending order. Parts must be ordered by part number.',
      '0042-00000215',
    ),
  entityTooSmall: () =>
    e(
      400,
      'EntityTooSmall',
      'Your proposed upload is smaller than the minimum allowed size.',
      '0042-00000210',
    ),
  // OSS "HTTP status code 409".
  bucketAlreadyExists: (bucket: string) =>
    e(
      409,
      'BucketAlreadyExists',
      'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
      '0015-00000202',
      { BucketName: bucket },
    ),
  bucketNotEmpty: (bucket: string) =>
    e(409, 'BucketNotEmpty', 'The bucket you tried to delete is not empty.', '0015-00000301', {
      BucketName: bucket,
    }),
  fileAlreadyExists: () =>
    e(
      409,
      'FileAlreadyExists',
      'The object you specified already exists and can not be overwritten.',
      '0026-00000010',
    ),
  // A CMK that cannot be found (unknown id, or a key of another region): 404 KeyNotFound "The specified
  // parameter KMS keyId is not found" (issue 12, from the live service); EC 0005-00000208 (OSS error
  // center: the CMK id in x-oss-server-side-encryption-key-id cannot be found in KMS).
  kmsKeyNotFound: (keyId: string) =>
    e(404, 'KeyNotFound', 'The specified parameter KMS keyId is not found', '0005-00000208', {
      KMSMasterKeyID: keyId,
    }),
  // OSS "HTTP status code 409" quick reference: KeyDisabled / KeyPendingDeletion with "The request was
  // rejected because the key state is <State>". Their ECs are placeholders: the error center gives each
  // its own page, which the stored documentation does not hold (emulator/README.md, "Still inferred").
  kmsKeyState: (code: 'KeyDisabled' | 'KeyPendingDeletion' | 'KeyPendingImport', keyId: string) =>
    e(409, code, `The request was rejected because the key state is ${code.slice(3)}`, KMS_STATE_EC[code], {
      KMSMasterKeyID: keyId,
    }),
  // OSS "HTTP status code 412"; `Condition` names the HTTP condition (`If-Match`, `If-Unmodified-Since`)
  // also for CopyObject's x-oss-copy-source-* forms: ali-oss test/node/object.test.js copy() cases expect
  // "... did not hold. (condition: If-Match)".
  preconditionFailed: (condition: string) =>
    e(
      412,
      'PreconditionFailed',
      'At least one of the pre-conditions you specified did not hold.',
      '0026-00000201',
      {
        Condition: condition,
      },
    ),
  invalidRange: () => e(416, 'InvalidRange', 'The requested range cannot be satisfied', '0026-00000301'),
  // DESIGN.md section 1: throttling is 503 with MetaOperationQpsLimitExceeded / TotalQpsLimitExceeded.
  throttled: (code: string) => e(503, code, 'Please reduce your request rate.', '0001-00000503'),
  internal: (status: number) =>
    e(status, 'InternalError', 'We encountered an internal error. Please try again.', '0001-00000001'),
  notImplemented: (op: string) =>
    e(501, 'NotImplemented', `The emulator does not implement ${op}.`, '0000-00000501'),
};
