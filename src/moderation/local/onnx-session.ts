import * as ort from 'onnxruntime-node';

/**
 * An ONNX Runtime session on the CPU provider with one thread: each moderation worker runs
 * one image at a time and there are as many workers as cores, so more threads would only
 * contend (measured: ~8 ms per image with one thread, ~13 ms with the default on two cores).
 */
export function singleThreadSession(file: string): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(file, {
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
}
