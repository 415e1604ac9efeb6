/** Messages between the worker pool (main thread) and a model worker. */
import type { ObjectMasses } from '../objects.js';

/** What both models said about one frame. */
export interface FrameScores {
  /** NSFWJS's five class probabilities, in NSFW_CLASSES order. */
  nsfw: number[];
  /** The ImageNet model's summed probability per object category. */
  objects: ObjectMasses;
}

export type ToWorker =
  /** `pixels` holds `count` 224×224 RGB frames; its buffer is transferred, not copied. */
  | { kind: 'classify'; id: number; pixels: Uint8Array; count: number }
  | { kind: 'stats'; id: number };

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
