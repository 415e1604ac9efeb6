/**
 * boto3, unchanged, against a listening Vigil: Python scripts drive the features issue 11
 * brings (versioning, delete markers, ACLs refused as S3 refuses them, UTF-8 metadata,
 * archive storage classes and RestoreObject, lifecycle rules, EventBridge rules, and issue
 * 13's IAM users, policies and bucket policies) and print
 * what they saw as JSON. CI has boto3 (the machine's Python, or Debian's python3-boto3,
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

const ARCHIVE_SCRIPT = String.raw`
import json, os, sys, time
import boto3
from botocore.exceptions import ClientError

s3 = boto3.client('s3', endpoint_url=os.environ['VIGIL_URL'], region_name='us-east-1',
                  aws_access_key_id=os.environ['VIGIL_KEY'],
                  aws_secret_access_key=os.environ['VIGIL_SECRET'])
bucket = os.environ['BUCKET']
seen = {}
s3.create_bucket(Bucket=bucket)
s3.put_object(Bucket=bucket, Key='cold', Body=b'archived', StorageClass='GLACIER')
seen['class'] = s3.head_object(Bucket=bucket, Key='cold').get('StorageClass')
try:
    s3.get_object(Bucket=bucket, Key='cold')
except ClientError as e:
    seen['get'] = [e.response['Error']['Code'], e.response['Error'].get('StorageClass')]
# A Standard restore takes ten minutes here: seen under way however loaded the machine is.
started = s3.restore_object(Bucket=bucket, Key='cold',
                            RestoreRequest={'Days': 1, 'GlacierJobParameters': {'Tier': 'Standard'}})
seen['restore_status'] = started['ResponseMetadata']['HTTPStatusCode']
seen['ongoing'] = s3.head_object(Bucket=bucket, Key='cold').get('Restore')
# An Expedited one completes at once.
s3.put_object(Bucket=bucket, Key='quick', Body=b'archived', StorageClass='GLACIER')
s3.restore_object(Bucket=bucket, Key='quick',
                  RestoreRequest={'Days': 1, 'GlacierJobParameters': {'Tier': 'Expedited'}})
deadline = time.time() + 30
while time.time() < deadline:
    restore = s3.head_object(Bucket=bucket, Key='quick').get('Restore', '')
    if restore.startswith('ongoing-request="false"'):
        break
    time.sleep(0.1)
seen['restored'] = restore.split(',')[0]
seen['body'] = s3.get_object(Bucket=bucket, Key='quick')['Body'].read().decode()
s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={'Rules': [
    {'ID': 'tmp', 'Filter': {'Prefix': 'tmp/'}, 'Status': 'Enabled', 'Expiration': {'Days': 7},
     'Transitions': [{'Days': 1, 'StorageClass': 'DEEP_ARCHIVE'}]}]})
rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)['Rules']
seen['rules'] = [[r['ID'], r['Expiration'], r['Transitions']] for r in rules]
try:
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={'Rules': [
        {'ID': 'bad', 'Filter': {}, 'Status': 'Enabled', 'Expiration': {'Days': 0}}]})
except ClientError as e:
    seen['bad_rule'] = e.response['Error']['Code']
json.dump(seen, sys.stdout)
`;

const IAM_SCRIPT = String.raw`
import json, os, sys
import boto3
from botocore.exceptions import ClientError

def client(service, key, secret):
    return boto3.client(service, endpoint_url=os.environ['VIGIL_URL'], region_name='us-east-1',
                        aws_access_key_id=key, aws_secret_access_key=secret)

root = (os.environ['VIGIL_KEY'], os.environ['VIGIL_SECRET'])
iam = client('iam', *root)
s3 = client('s3', *root)
bucket = os.environ['BUCKET']
seen = {}
s3.create_bucket(Bucket=bucket)
s3.put_object(Bucket=bucket, Key='shared/a.txt', Body=b'a')
iam.create_user(UserName='boto3-partner')
key = iam.create_access_key(UserName='boto3-partner')['AccessKey']
partner = client('s3', key['AccessKeyId'], key['SecretAccessKey'])
try:
    partner.get_object(Bucket=bucket, Key='shared/a.txt')
except ClientError as e:
    seen['before'] = e.response['Error']['Code']
policy = {'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow',
          'Principal': {'AWS': 'arn:aws:iam::000000000000:user/boto3-partner'},
          'Action': 's3:GetObject', 'Resource': 'arn:aws:s3:::%s/shared/*' % bucket}]}
s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
seen['stored'] = json.loads(s3.get_bucket_policy(Bucket=bucket)['Policy']) == policy
seen['after'] = partner.get_object(Bucket=bucket, Key='shared/a.txt')['Body'].read().decode()
iam.put_user_policy(UserName='boto3-partner', PolicyName='deny', PolicyDocument=json.dumps(
    {'Version': '2012-10-17', 'Statement': [{'Effect': 'Deny', 'Action': 's3:*', 'Resource': '*'}]}))
# boto3 decodes IAM's URL-encoded documents itself.
seen['document'] = iam.get_user_policy(UserName='boto3-partner', PolicyName='deny')['PolicyDocument']['Statement'][0]['Effect']
try:
    partner.get_object(Bucket=bucket, Key='shared/a.txt')
except ClientError as e:
    seen['denied'] = e.response['Error']['Code']
seen['me'] = client('sts', key['AccessKeyId'], key['SecretAccessKey']).get_caller_identity()['Arn']
try:
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({'Version': '2012-10-17', 'Statement': [
        {'Effect': 'Allow', 'Principal': '*', 'Action': 's3:GetObject', 'Resource': 'arn:aws:s3:::elsewhere/*'}]}))
except ClientError as e:
    seen['malformed'] = [e.response['Error']['Code'], e.response['Error']['Message']]
json.dump(seen, sys.stdout)
`;

const EVENTS_SCRIPT = String.raw`
import json, os, sys
import boto3
from botocore.exceptions import ClientError

def client(service):
    return boto3.client(service, endpoint_url=os.environ['VIGIL_URL'], region_name='us-east-1',
                        aws_access_key_id=os.environ['VIGIL_KEY'],
                        aws_secret_access_key=os.environ['VIGIL_SECRET'])
events, s3, sqs = client('events'), client('s3'), client('sqs')
bucket = os.environ['BUCKET']
seen = {}
queue = sqs.create_queue(QueueName='boto3-bus')['QueueUrl']
pattern = {'source': ['aws.s3'], 'detail-type': ['Object Created'],
           'detail': {'bucket': {'name': [bucket]}, 'object': {'key': [{'suffix': '.jpg'}]}}}
seen['rule_arn'] = events.put_rule(Name='boto3-jpgs', EventPattern=json.dumps(pattern))['RuleArn']
put = events.put_targets(Rule='boto3-jpgs', Targets=[
    {'Id': 'q', 'Arn': 'arn:aws:sqs:us-east-1:000000000000:boto3-bus', 'InputPath': '$.detail.object'}])
seen['failed'] = put['FailedEntryCount']
seen['rules'] = [r['Name'] for r in events.list_rules(NamePrefix='boto3-')['Rules']]
try:
    events.put_rule(Name='boto3-bad', EventPattern='{"source": "aws.s3"}')
except ClientError as e:
    seen['bad_pattern'] = e.response['Error']['Code']
s3.create_bucket(Bucket=bucket)
s3.put_bucket_notification_configuration(Bucket=bucket,
    NotificationConfiguration={'EventBridgeConfiguration': {}})
s3.put_object(Bucket=bucket, Key='a.jpg', Body=b'jpg')
s3.put_object(Bucket=bucket, Key='b.txt', Body=b'txt')
got = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=5, MaxNumberOfMessages=10)
seen['delivered'] = [json.loads(m['Body'])['key'] for m in got.get('Messages', [])]
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
    t = await startTestVigil({
      fsync: false,
      config: {
        scheduler: {
          restoreSeconds: { GLACIER: { Standard: 600, Expedited: 0.2 } },
          maxSleepSeconds: 1,
        },
      },
    });
  });

  /** Runs a script with boto3, no AWS configuration but Vigil's, and parses what it printed. */
  async function runScript(script: string, bucket: string): Promise<unknown> {
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')),
    );
    const output = await new Promise<string>((resolve, reject) =>
      execFile(
        python!,
        ['-c', script],
        {
          env: {
            ...env,
            VIGIL_URL: t.url,
            VIGIL_KEY: t.accessKeyId,
            VIGIL_SECRET: t.secretAccessKey,
            BUCKET: bucket,
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
    return JSON.parse(output);
  }
  afterAll(async () => {
    await t?.stop();
  });

  it('versions objects, makes delete markers and is refused a public ACL', async () => {
    expect(await runScript(SCRIPT, bucketName('boto3'))).toEqual({
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

  it('archives, restores and reads back an object; puts and gets lifecycle rules', async () => {
    expect(await runScript(ARCHIVE_SCRIPT, bucketName('boto3-archive'))).toEqual({
      class: 'GLACIER',
      get: ['InvalidObjectState', 'GLACIER'],
      restore_status: 202,
      ongoing: 'ongoing-request="true"',
      restored: 'ongoing-request="false"',
      body: 'archived',
      rules: [['tmp', { Days: 7 }, [{ Days: 1, StorageClass: 'DEEP_ARCHIVE' }]]],
      bad_rule: 'InvalidArgument',
    });
  });

  it('manages EventBridge rules and gets a bucket’s events through one', async () => {
    expect(await runScript(EVENTS_SCRIPT, bucketName('boto3-bus'))).toEqual({
      rule_arn: 'arn:aws:events:us-east-1:000000000000:rule/boto3-jpgs',
      failed: 0,
      rules: ['boto3-jpgs'],
      bad_pattern: 'InvalidEventPatternException',
      delivered: ['a.jpg'],
    });
  });

  it('creates a user, grants it through a bucket policy, denies it through its own', async () => {
    expect(await runScript(IAM_SCRIPT, bucketName('boto3-iam'))).toEqual({
      before: 'AccessDenied',
      stored: true,
      after: 'a',
      document: 'Deny',
      denied: 'AccessDenied',
      me: 'arn:aws:iam::000000000000:user/boto3-partner',
      malformed: ['MalformedPolicy', 'Policy has invalid resource'],
    });
  });
});
