/** Messages between the worker pool (main thread) and a model worker. */
import type { ObjectMasses } from '../objects.js';
import type { SizedFrames } from './sized-frames.js';

/** What both models said about one frame. */
export interface FrameScores {
  /** NSFWJS's five class probabilities, in NSFW_CLASSES order. */
  nsfw: number[];
  /** The ImageNet model's summed probability per object category. */
  objects: ObjectMasses;
  /** Each user model's class probabilities (moderation.models), in the order declared. */
  custom: Float32Array[];
}

/** The frames of one request: 224×224 for the bundled models, other sizes for user models. */
export interface FrameBatch {
  /** `count` 224×224 RGB frames. */
  pixels: Uint8Array;
  count: number;
  /** The same frames at each other size a user model reads. */
  sized: SizedFrames[];
}

export type ToWorker =
  /** Every buffer of `frames` is transferred, not copied. */
  { kind: 'classify'; id: number; frames: FrameBatch } | { kind: 'stats'; id: number };

export interface WorkerStats {
  threadId: number;
  /** tfjs tensors alive in the worker: constant between requests unless something leaks. */
  numTensors: number;
  numBytes: number;
  classified: number;
}

export type FromWorker =
  | { kind: 'ready'; backend: string; loadMs: number }
  /** One entry per frame. */
  | { kind: 'result'; id: number; frames: FrameScores[] }
  | { kind: 'failed'; id: number; message: string }
  | ({ kind: 'stats'; id: number } & WorkerStats);
