/**
 * boto3, unchanged, against a listening Vigil: a Python script drives the features issue 11
 * brings (versioning, delete markers, ACLs refused as S3 refuses them, UTF-8 metadata) and
 * prints what it saw as JSON. CI has boto3 (the machine's Python, or Debian's python3-boto3,
 * which .ci/run installs); elsewhere the test is skipped, saying why.
 */
import { execFile, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';

/** The first Python that can import boto3: the one on PATH, then Debian's. */
function pythonWithBoto3(): string | undefined {
  for (const python of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(python, ['-c', 'import boto3'], { encoding: 'utf8', timeout: 30_000 });
    if (probe.status === 0) return python;
  }
  return undefined;
}

const SCRIPT = String.raw`
import json, os, sys
import boto3
from botocore.exceptions import ClientError

s3 = boto3.client('s3', endpoint_url=os.environ['VIGIL_URL'], region_name='us-east-1',
                  aws_access_key_id=os.environ['VIGIL_KEY'],
                  aws_secret_access_key=os.environ['VIGIL_SECRET'])
bucket = os.environ['BUCKET']
seen = {}
s3.create_bucket(Bucket=bucket)
s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={'Status': 'Enabled'})
seen['status'] = s3.get_bucket_versioning(Bucket=bucket)['Status']
first = s3.put_object(Bucket=bucket, Key='k', Body=b'one')['VersionId']
second = s3.put_object(Bucket=bucket, Key='k', Body=b'two')['VersionId']
seen['ids_differ'] = first != second
seen['old_body'] = s3.get_object(Bucket=bucket, Key='k', VersionId=first)['Body'].read().decode()
marker = s3.delete_object(Bucket=bucket, Key='k')
seen['marker'] = marker.get('DeleteMarker')
try:
    s3.get_object(Bucket=bucket, Key='k')
except ClientError as e:
    seen['after_delete'] = e.response['Error']['Code']
listed = s3.list_object_versions(Bucket=bucket)
seen['versions'] = [[v['VersionId'] == first, v['IsLatest']] for v in listed['Versions']]
seen['markers'] = [[m['VersionId'] == marker['VersionId'], m['IsLatest']] for m in listed['DeleteMarkers']]
try:
    s3.put_object(Bucket=bucket, Key='public', Body=b'x', ACL='public-read')
except ClientError as e:
    seen['public_acl'] = [e.response['Error']['Code'], e.response['ResponseMetadata']['HTTPStatusCode']]
s3.put_object(Bucket=bucket, Key='meta', Body=b'm', Metadata={'title': 'plain ascii'})
seen['metadata'] = s3.head_object(Bucket=bucket, Key='meta')['Metadata']
json.dump(seen, sys.stdout)
`;

const python = pythonWithBoto3();

describe('boto3', () => {
  if (!python) {
    const message = 'no Python with boto3 (apt-get install python3-boto3)';
    if (process.env['CI'] === 'true')
      it('has boto3 to test with', () => expect.fail(`${message}; CI must have it`));
    else {
      console.warn(`boto3 tests skipped: ${message}`);
      it.skip(`boto3 tests: ${message}`, () => {});
    }
    return;
  }
  let t: TestVigil;
  beforeAll(async () => {
    t = await startTestVigil({ fsync: false });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('versions objects, makes delete markers and is refused a public ACL', async () => {
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')),
    );
    const output = await new Promise<string>((resolve, reject) =>
      execFile(
        python,
        ['-c', SCRIPT],
        {
          env: {
            ...env,
            VIGIL_URL: t.url,
            VIGIL_KEY: t.accessKeyId,
            VIGIL_SECRET: t.secretAccessKey,
            BUCKET: bucketName('boto3'),
            AWS_CONFIG_FILE: '/dev/null',
            AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
            AWS_EC2_METADATA_DISABLED: 'true',
          },
          timeout: 60_000,
        },
        (error, stdout, stderr) =>
          error ? reject(new Error(stderr || error.message)) : resolve(stdout),
      ),
    );
    expect(JSON.parse(output)).toEqual({
      status: 'Enabled',
      ids_differ: true,
      old_body: 'one',
      marker: true,
      after_delete: 'NoSuchKey',
      versions: [
        [false, false],
        [true, false],
      ],
      markers: [[true, true]],
      public_acl: ['AccessControlListNotSupported', 400],
      metadata: { title: 'plain ascii' },
    });
  });
});
