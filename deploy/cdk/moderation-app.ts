/**
 * The CDK app's one stack, built the same way by `cdk synth` (app.ts) and by the tests: read
 * the context, bundle the handler, define the stack.
 */
import type { App } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { bundleModerateImage } from './bundle.js';
import { deploymentFromContext } from './context.js';
import { ModerationStack } from './stack.js';

export const STACK_NAME = 'VigilModeration';

/**
 * Adds the moderation stack to `app`, bundling the handler into `bundleDir` first. The
 * bundle must stay until `app.synth()` has copied it into the cloud assembly.
 *
 * @example
 * const app = new App();
 * await addModerationStack(app, await mkdtemp(join(tmpdir(), 'moderate-image-')));
 * app.synth();
 */
export async function addModerationStack(app: App, bundleDir: string): Promise<ModerationStack> {
  const deployment = deploymentFromContext((key) => app.node.tryGetContext(key) as unknown);
  await bundleModerateImage(bundleDir, { imageMemory: deployment.settings.memory.enabled });
  return new ModerationStack(app, STACK_NAME, {
    ...deployment,
    code: lambda.Code.fromAsset(bundleDir),
  });
}
