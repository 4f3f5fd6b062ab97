import { describe, expect, it } from 'vitest';
import { toFcError } from '../../shared/cloud/fc.js';
import { kmsCloudError } from '../../shared/cloud/kms.js';
import { toCloudError } from '../../shared/cloud/oss-errors.js';
import { CloudError } from '../../shared/errors.js';

// Error shapes as each SDK builds them: @alicloud/rpc-client dist/client.js (code + "Error", message
// "code: <status>, <Message> requestid: <id>", the body in `data`); fc2's "failed with <status>.
// requestid: ..., message: ..." text; ali-oss's `{ code, status, requestId }`.
describe('one CloudError core for the three gateways', () => {
  it('words an OSS, a KMS and a Function Compute answer alike, with the service message and request id', () => {
    // Prepare
    const oss = Object.assign(new Error('The specified bucket does not exist.'), {
      name: 'NoSuchBucketError',
      code: 'NoSuchBucket',
      status: 404,
      requestId: 'oss-1',
    });
    const kms = Object.assign(new Error('code: 404, The specified Key is not found. requestid: kms-1'), {
      code: 'Forbidden.KeyNotFoundError',
      data: { Code: 'Forbidden.KeyNotFound', RequestId: 'kms-1' },
    });
    const fc = Object.assign(
      new Error('POST /x failed with 404. requestid: fc-1, message: function not found.'),
      { code: 'FunctionNotFound' },
    );

    // Act
    const errors = [
      toCloudError(oss, 'GetBucket a'),
      kmsCloudError(kms, 'DescribeKey k'),
      toFcError(fc, 'Invoke f'),
    ];

    // Assess
    expect(errors.map((e) => e.message)).toEqual([
      'GetBucket a: NoSuchBucket (404): The specified bucket does not exist., request id oss-1',
      'DescribeKey k: Forbidden.KeyNotFound (404): The specified Key is not found, request id kms-1',
      'Invoke f: FunctionNotFound (404): function not found, request id fc-1',
    ]);
    expect(errors.map((e) => [e.status, e.requestId, e.retryable])).toEqual([
      [404, 'oss-1', false],
      [404, 'kms-1', false],
      [404, 'fc-1', false],
    ]);
  });

  it('retries throttling codes, 5xx and failures without an answer, and passes a CloudError through', () => {
    // Prepare
    const throttled = {
      code: 'Throttling.User',
      data: { Code: 'Throttling.User' },
      message: 'code: 400, slow down requestid: r',
    };
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const qps = { code: 'MetaOperationQpsLimitExceeded', status: 503, name: 'X', message: 'busy' };
    const ours = new CloudError('already ours', { code: 'X', status: 400, retryable: false });

    // Act
    const kms = kmsCloudError(throttled, 'DescribeKey k');
    const fc = toFcError(refused, 'Invoke f');
    const oss = toCloudError(qps, 'GetBucketEncryption b');

    // Assess
    expect([kms.retryable, fc.retryable, oss.retryable]).toEqual([true, true, true]);
    expect(fc).toMatchObject({ status: -1, code: 'ECONNREFUSED' });
    expect(toCloudError(ours, 's')).toBe(ours);
    expect(kmsCloudError(ours, 's')).toBe(ours);
  });
});
