/** The CDK app (cdk.json: `node --import tsx app.ts`). Context keys: README.md. */
import { App } from 'aws-cdk-lib';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addModerationStack } from './moderation-app.js';

const bundleDir = await mkdtemp(join(tmpdir(), 'vigil-moderate-image-'));
try {
  const app = new App();
  await addModerationStack(app, bundleDir);
  app.synth();
} finally {
  await rm(bundleDir, { recursive: true, force: true });
}
