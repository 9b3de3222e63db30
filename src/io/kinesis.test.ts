// What the Kinesis client's failures mean in words, and which are worth retrying: those kinesalite
// cannot produce (expired or refused credentials, a missing region, a host that does not exist) as
// the SDK throws them; the others are tested end to end in test/kinesis.test.ts.

import { describe, expect, it } from 'vitest';
import { credentialsFailure, kinesisReason, kinesisTarget, Refused, transient } from './kinesis.ts';

const target = { stream: 'clicks', region: 'eu-west-1', endpoint: undefined };
const aws = (name: string, message: string, status = 400) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status }, $fault: status >= 500 ? 'server' : 'client' });

describe('Kinesis failures', () => {
  it('retries throttling, 5xx and network errors, nothing else', () => {
    expect(transient(aws('ProvisionedThroughputExceededException', 'Rate exceeded for shard'))).toBe('throttled');
    expect(transient(aws('LimitExceededException', 'Rate exceeded for stream'))).toBe('throttled');
    expect(transient(aws('InternalFailure', 'oops', 500))).toBe('unavailable');
    expect(transient(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toBe('unreachable');
    expect(transient(new Refused('PutRecords: 2 of 500 records refused', 'throttled'))).toBe('throttled');
    expect(kinesisReason(new Refused('PutRecords: 2 of 500 records refused', 'throttled'), target)).toBe('PutRecords: 2 of 500 records refused');
    expect(transient(aws('ResourceNotFoundException', 'Stream clicks not found'))).toBeUndefined();
    expect(transient(aws('ExpiredTokenException', 'The security token included in the request is expired'))).toBeUndefined();
  });

  it('says what is wrong with the credentials, the region, the stream or the host, and never a secret', () => {
    process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    try {
      const expired = aws('ExpiredTokenException', 'The security token included in the request is expired');
      expect(credentialsFailure(expired)).toBe(true);
      expect(kinesisReason(expired, target)).toBe('the AWS credentials were refused (ExpiredTokenException: The security token included in the request is expired)');
      const echo = aws('InvalidSignatureException', `Signature mismatch for key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY.`);
      expect(kinesisReason(echo, target)).toBe('the AWS credentials were refused (InvalidSignatureException: Signature mismatch for key ***)');
      expect(kinesisReason(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), target)).toMatch(/^no AWS credentials found: set AWS_ACCESS_KEY_ID/);
      expect(kinesisReason(new Error('Region is missing'), { ...target, region: undefined })).toBe('no AWS region: give ?region=R, or set AWS_REGION');
      expect(kinesisReason(aws('ResourceNotFoundException', 'Stream clicks under account 1 not found'), target)).toBe("stream 'clicks' does not exist in region eu-west-1");
      const nxdomain = Object.assign(new Error('getaddrinfo ENOTFOUND kinesis.nowhere.example'), { code: 'ENOTFOUND', hostname: 'kinesis.nowhere.example' });
      expect(kinesisReason(nxdomain, { ...target, endpoint: 'https://kinesis.nowhere.example' })).toBe(
        "cannot reach Kinesis at https://kinesis.nowhere.example (host 'kinesis.nowhere.example' not found: the name does not resolve (check the host in the URI))",
      );
    } finally {
      delete process.env.AWS_SECRET_ACCESS_KEY;
    }
  });

  it('takes a stream name, and refuses what is not one', () => {
    const problems: string[] = [];
    expect(kinesisTarget('clicks.v2', { region: 'us-east-1' }, (m) => problems.push(m))).toEqual({ stream: 'clicks.v2', region: 'us-east-1', endpoint: undefined });
    kinesisTarget('', {}, (m) => problems.push(m));
    kinesisTarget('a/b', {}, (m) => problems.push(m));
    expect(problems).toEqual(['needs a stream, e.g. kinesis://clicks?region=eu-west-1', "'a/b' is not a Kinesis stream name (1 to 128 of a-z, A-Z, 0-9, _ . -)"]);
  });
});
