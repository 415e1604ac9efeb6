/**
 * Every backend runs the `Moderator` contract: `local` with the real model on the generated
 * fixtures, `rekognition` and `http` against loopback fakes that speak their wire protocols
 * and answer, per image (keyed by the bytes' hash), as the real service would.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { createHttpModerator } from './backends/http.js';
import { createRekognitionModerator } from './backends/rekognition.js';
import {
  FAKE_AWS_KEY,
  awsError,
  startFakeRekognition,
  type RekognitionReply,
} from './backends/fake-rekognition.test-helper.js';
import {
  startFakeClassifier,
  type ClassifierReply,
} from './backends/fake-classifier.test-helper.js';
import { createLocalModerator } from './local/local-moderator.js';
import { describeModeratorContract } from './moderator-contract.test-helper.js';
import type { ModerationLabel, ModerationResult } from './types.js';

const fixture = (name: string) =>
  readFile(new URL(`../../test/fixtures/images/${name}`, import.meta.url));
/** Scored Porn 98.2 by the local model. */
const FLAGGED_FILE = 'flagged-porn.jpg';
/** Scored Drawing 78.4, Neutral 20.9: no label, content type Illustrated. */
const CLEAN_FILE = 'clean-landscape.png';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Answers keyed by image: the fakes know the two fixtures and nothing else. */
async function answersFor<T>(answers: { flagged: T; clean: T }) {
  const [flagged, clean] = await Promise.all([fixture(FLAGGED_FILE), fixture(CLEAN_FILE)]);
  const byHash = new Map([
    [sha256(flagged), answers.flagged],
    [sha256(clean), answers.clean],
  ]);
  return { flagged, clean, answerFor: (image: Buffer) => byHash.get(sha256(image)) };
}

/** The format sharp reads in the bytes, if it reads them at all. */
async function imageFormat(bytes: Buffer): Promise<string | undefined> {
  try {
    return (await sharp(bytes).metadata()).format;
  } catch {
    return undefined; // sharp throws at once on an empty buffer, asynchronously otherwise
  }
}

/** Later requests answer sooner, so replies overtake each other under concurrency. */
const shuffledDelay = (n: number) => (7 - (n % 8)) * 3;

describeModeratorContract('local', async () => ({
  moderator: await createLocalModerator({ workers: 1 }),
  flagged: await fixture(FLAGGED_FILE),
  clean: await fixture(CLEAN_FILE),
}));

const label = (
  Name: string,
  ParentName: string,
  TaxonomyLevel: number,
  Confidence: number,
): ModerationLabel => ({ Confidence, Name, ParentName, TaxonomyLevel });

/** What Rekognition (model 7.0) might answer at MinConfidence 0; it filters server-side. */
const REKOGNITION_ANSWERS: { flagged: ModerationResult; clean: ModerationResult } = {
  flagged: {
    ModerationLabels: [
      label('Explicit Nudity', 'Explicit', 2, 98.21),
      label('Explicit', '', 1, 98.21),
      label('Exposed Female Nipple', 'Explicit Nudity', 3, 91.4),
      label('Non-Explicit Nudity', 'Non-Explicit Nudity of Intimate parts and Kissing', 2, 64.7),
      label('Non-Explicit Nudity of Intimate parts and Kissing', '', 1, 64.7),
      label('Swimwear or Underwear', '', 1, 12.3),
    ],
    ModerationModelVersion: '7.0',
    ContentTypes: [],
  },
  clean: {
    ModerationLabels: [
      label('Female Swimwear or Underwear', 'Swimwear or Underwear', 2, 3.1),
      label('Swimwear or Underwear', '', 1, 3.1),
    ],
    ModerationModelVersion: '7.0',
    ContentTypes: [{ Confidence: 78.4, Name: 'Illustrated' }],
  },
};

describeModeratorContract('rekognition', async () => {
  const { flagged, clean, answerFor } = await answersFor(REKOGNITION_ANSWERS);
  const fake = await startFakeRekognition(async (call): Promise<RekognitionReply> => {
    const image = Buffer.from(call.body.Image.Bytes, 'base64');
    const answer = answerFor(image);
    if (!answer) {
      const format = await imageFormat(image);
      if (format !== 'jpeg' && format !== 'png')
        return awsError('InvalidImageFormatException', 'Request has invalid image format.');
      return awsError('FakeHasNoAnswer', 'The fake only knows the contract fixtures.');
    }
    const min = call.body.MinConfidence ?? 50;
    return {
      status: 200,
      body: {
        ...answer,
        ModerationLabels: answer.ModerationLabels.filter((l) => l.Confidence >= min),
      },
      delayMs: shuffledDelay(fake.calls.length),
    };
  });
  return {
    moderator: createRekognitionModerator({
      region: 'eu-west-1',
      endpoint: fake.endpoint,
      credentials: FAKE_AWS_KEY,
      retryBaseMs: 1,
    }),
    flagged,
    clean,
    upstreamRequests: () => fake.calls.length,
    close: () => fake.close(),
  };
});

/** A typical NSFW classifier's answer in the simple shape, with its own class names. */
const CLASSIFIER_ANSWERS = {
  flagged: {
    labels: [
      { name: 'porn', confidence: 98.2 },
      { name: 'sexy', confidence: 61.5 },
      { name: 'neutral', confidence: 1.6 },
      { name: 'drawing', confidence: 0.1 },
    ],
    modelVersion: 'fake-nsfw-classifier-1',
  },
  clean: {
    labels: [
      { name: 'porn', confidence: 0.1 },
      { name: 'sexy', confidence: 0.4 },
      { name: 'neutral', confidence: 20.9 },
      { name: 'drawing', confidence: 78.4 },
    ],
    modelVersion: 'fake-nsfw-classifier-1',
    contentTypes: [{ name: 'Illustrated', confidence: 78.4 }],
  },
};

describeModeratorContract('http', async () => {
  const { flagged, clean, answerFor } = await answersFor(CLASSIFIER_ANSWERS);
  const fake = await startFakeClassifier(async (request): Promise<ClassifierReply> => {
    const answer = answerFor(request.body);
    if (answer) return { body: answer, delayMs: shuffledDelay(fake.received.length) };
    // What a classifier built on an image library answers when it cannot decode the body.
    const readable = (await imageFormat(request.body)) !== undefined;
    return readable
      ? { status: 500, body: { error: 'the fake only knows the contract fixtures' } }
      : { status: 422, body: { error: 'cannot identify image file' } };
  });
  return {
    moderator: createHttpModerator({
      url: fake.url,
      labelMap: {
        porn: 'Explicit Nudity',
        sexy: 'Non-Explicit Nudity',
        neutral: null,
        drawing: null,
      },
    }),
    flagged,
    clean,
    upstreamRequests: () => fake.received.length,
    close: () => fake.close(),
  };
});
