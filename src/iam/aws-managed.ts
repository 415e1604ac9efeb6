/**
 * The AWS managed policies Vigil knows, by ARN, so `attach-user-policy --policy-arn
 * arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess` works as people write it. Their statements
 * are AWS's, cut to the services Vigil has.
 */
export const AWS_MANAGED_POLICIES: ReadonlyMap<string, { description: string; document: string }> =
  new Map(
    Object.entries({
      AdministratorAccess: {
        description: 'Provides full access to AWS services and resources.',
        statements: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
      },
      AmazonS3FullAccess: {
        description: 'Provides full access to all buckets.',
        statements: [{ Effect: 'Allow', Action: ['s3:*', 's3-object-lambda:*'], Resource: '*' }],
      },
      AmazonS3ReadOnlyAccess: {
        description: 'Provides read only access to all buckets.',
        statements: [
          {
            Effect: 'Allow',
            Action: [
              's3:Get*',
              's3:List*',
              's3:Describe*',
              's3-object-lambda:Get*',
              's3-object-lambda:List*',
            ],
            Resource: '*',
          },
        ],
      },
      AmazonSQSFullAccess: {
        description: 'Provides full access to Amazon SQS.',
        statements: [{ Effect: 'Allow', Action: ['sqs:*'], Resource: '*' }],
      },
      AmazonSQSReadOnlyAccess: {
        description: 'Provides read only access to Amazon SQS.',
        statements: [
          {
            Effect: 'Allow',
            Action: [
              'sqs:GetQueueAttributes',
              'sqs:GetQueueUrl',
              'sqs:ListDeadLetterSourceQueues',
              'sqs:ListQueues',
              'sqs:ListQueueTags',
              'sqs:ListMessageMoveTasks',
            ],
            Resource: '*',
          },
        ],
      },
      AmazonRekognitionReadOnlyAccess: {
        description: 'Access to all Amazon Rekognition read APIs.',
        statements: [
          {
            Effect: 'Allow',
            Action: [
              'rekognition:Detect*',
              'rekognition:List*',
              'rekognition:Describe*',
              'rekognition:Get*',
            ],
            Resource: '*',
          },
        ],
      },
      AmazonEventBridgeFullAccess: {
        description: 'Provides full access to Amazon EventBridge.',
        statements: [{ Effect: 'Allow', Action: ['events:*'], Resource: '*' }],
      },
      AWSLambda_FullAccess: {
        description: 'Grants full access to AWS Lambda service.',
        statements: [
          {
            Effect: 'Allow',
            Action: ['lambda:*', 'iam:PassRole', 'iam:ListRoles', 'iam:GetRole'],
            Resource: '*',
          },
        ],
      },
      AWSLambda_ReadOnlyAccess: {
        description: 'Grants read-only access to AWS Lambda service.',
        statements: [{ Effect: 'Allow', Action: ['lambda:Get*', 'lambda:List*'], Resource: '*' }],
      },
      AWSLambdaBasicExecutionRole: {
        description: 'Provides write permissions to CloudWatch Logs.',
        statements: [
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: '*',
          },
        ],
        path: '/service-role/',
      },
      IAMFullAccess: {
        description: 'Provides full access to IAM.',
        statements: [{ Effect: 'Allow', Action: ['iam:*'], Resource: '*' }],
      },
      IAMReadOnlyAccess: {
        description: 'Provides read only access to IAM.',
        statements: [{ Effect: 'Allow', Action: ['iam:Get*', 'iam:List*'], Resource: '*' }],
      },
    }).map(([name, { description, statements, ...rest }]) => {
      const path = 'path' in rest ? (rest as { path: string }).path : '/';
      return [
        `arn:aws:iam::aws:policy${path}${name}`,
        { description, document: JSON.stringify({ Version: '2012-10-17', Statement: statements }) },
      ];
    }),
  );
