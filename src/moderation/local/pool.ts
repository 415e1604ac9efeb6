/**
 * A fixed-size pool of model workers (plain worker_threads). Each worker holds its own copy
 * of the model and takes one request at a time; requests wait in a bounded queue when every
 * worker is busy and are refused with ThrottlingException when the queue is full. A worker
 * that dies — crash, out-of-memory, or stopped for exceeding the task timeout — fails only
 * the request it was running, with InternalServerError (retryable), and is replaced.
 */
import type { Worker } from 'node:worker_threads';
import { ModerationError } from '../types.js';
import type { NsfwRuntime } from './nsfw-runtime.js';
import type { CustomModelRuntime } from '../custom/prepare.js';
import type { FrameBatch, FrameScores, FromWorker, ToWorker, WorkerStats } from './protocol.js';
import { startWorker } from './threads.js';

export interface PoolOptions {
  size: number;
  /** Requests that may wait for a worker; more are refused. */
  queueLimit: number;
  /** A request running longer in its worker is failed and the worker replaced. */
  taskTimeoutMs: number;
  /** Time a new worker has to load the model. */
  startupTimeoutMs: number;
  /** Called each time a worker has loaded the model (at start and after each replacement). */
  onWorkerOnline?: (worker: Worker) => void;
  /** Lines the workers print (tfjs and NSFWJS notices). */
  log: (line: string) => void;
  /** The runtime NSFWJS runs on in every worker (see nsfw-runtime.ts). */
  nsfw: NsfwRuntime;
  /** The user's own models (moderation.models), loaded in every worker beside the bundled ones. */
  custom: readonly CustomModelRuntime[];
}

interface Task {
  frames: FrameBatch;
  resolve: (frames: FrameScores[]) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  running?: Task & { id: number; timer: NodeJS.Timeout };
  timedOut: boolean;
  lastError?: Error;
  settleStart: (err?: Error) => void;
  statsWaiting: Map<number, { resolve: (s: WorkerStats) => void; reject: (e: Error) => void }>;
}

/**
 * A model worker allocates little JavaScript garbage (the tensors live in the WebAssembly
 * heap), so a small young generation costs no speed and saves ~40 MB of RSS per worker.
 */
const resourceLimits = { maxYoungGenerationSizeMb: 8 };

function newWorker(nsfw: NsfwRuntime, custom: readonly CustomModelRuntime[]): Worker {
  return startWorker('worker', { stdout: true, resourceLimits, workerData: { nsfw, custom } });
}

const internal = (detail: string) => new ModerationError('InternalServerError', detail);

export class WorkerPool {
  readonly #options: PoolOptions;
  readonly #slots = new Set<Slot>();
  readonly #queue: Task[] = [];
  #nextId = 1;
  #closing = false;
  #failedStarts = 0;
  #retry: NodeJS.Timeout | undefined;
  #drained: (() => void) | undefined;

  private constructor(options: PoolOptions) {
    this.#options = options;
  }

  /** Starts `size` workers and resolves once every one has loaded the model. */
  static async start(options: PoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    const started = await Promise.allSettled(
      Array.from({ length: options.size }, () => pool.#spawn()),
    );
    const failure = started.find((s) => s.status === 'rejected');
    if (failure) {
      await pool.close();
      throw failure.reason;
    }
    return pool;
  }

  /** Workers that have loaded the model, busy or not. */
  get ready(): number {
    return [...this.#slots].filter((s) => s.ready).length;
  }

  /** Workers classifying a request right now. */
  get busy(): number {
    return [...this.#slots].filter((s) => s.running).length;
  }

  /** Requests waiting for a worker. */
  get queued(): number {
    return this.#queue.length;
  }

  /** True when a request arriving now would be refused. */
  get full(): boolean {
    return this.#closing || (!this.#idleSlot() && this.#queue.length >= this.#options.queueLimit);
  }

  /** Every model's scores (one entry per frame) for the frames of `frames`. */
  classify(frames: FrameBatch): Promise<FrameScores[]> {
    if (this.#closing) return Promise.reject(internal('The moderator is closed.'));
    if (!this.#hasLiveSlot())
      return Promise.reject(
        internal('No moderation worker is running; a new one is being started.'),
      );
    if (this.full)
      return Promise.reject(
        new ModerationError(
          'ThrottlingException',
          `All ${this.#options.size} moderation workers are busy and ${this.#queue.length} requests are waiting; retry later.`,
        ),
      );
    return new Promise((resolve, reject) => {
      this.#queue.push({ frames, resolve, reject });
      this.#pump();
    });
  }

  /** Tensor counts and totals of every ready worker. */
  stats(): Promise<WorkerStats[]> {
    const ready = [...this.#slots].filter((s) => s.ready);
    return Promise.all(
      ready.map(
        (slot) =>
          new Promise<WorkerStats>((resolve, reject) => {
            const id = this.#nextId++;
            slot.statsWaiting.set(id, { resolve, reject });
            slot.worker.postMessage({ kind: 'stats', id } satisfies ToWorker);
          }),
      ),
    );
  }

  /** Lets queued and running requests finish, then stops every worker. */
  async close(): Promise<void> {
    this.#closing = true;
    clearTimeout(this.#retry);
    await new Promise<void>((resolve) => {
      this.#drained = resolve;
      this.#checkDrained();
    });
    await Promise.all([...this.#slots].map((slot) => slot.worker.terminate()));
  }

  #idleSlot(): Slot | undefined {
    for (const slot of this.#slots) if (slot.ready && !slot.running) return slot;
    return undefined;
  }

  #pump(): void {
    for (let slot = this.#idleSlot(); slot && this.#queue.length > 0; slot = this.#idleSlot())
      this.#dispatch(slot, this.#queue.shift()!);
    this.#checkDrained();
  }

  #dispatch(slot: Slot, task: Task): void {
    const id = this.#nextId++;
    const timer = setTimeout(() => {
      slot.timedOut = true;
      void slot.worker.terminate();
    }, this.#options.taskTimeoutMs);
    slot.running = { ...task, id, timer };
    const { frames } = task;
    const message: ToWorker = { kind: 'classify', id, frames };
    const buffers = [frames.pixels, ...frames.sized.map((s) => s.pixels)].map(
      (pixels) => pixels.buffer as ArrayBuffer,
    );
    slot.worker.postMessage(message, buffers);
  }

  #spawn(): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = newWorker(this.#options.nsfw, this.#options.custom);
      const startTimer = setTimeout(() => {
        slot.lastError = new Error(
          `it did not load the model within ${this.#options.startupTimeoutMs} ms`,
        );
        void worker.terminate();
      }, this.#options.startupTimeoutMs);
      const slot: Slot = {
        worker,
        ready: false,
        timedOut: false,
        statsWaiting: new Map(),
        settleStart: (err) => {
          clearTimeout(startTimer);
          if (err) reject(err);
          else resolve();
        },
      };
      this.#slots.add(slot);
      worker.stdout.setEncoding('utf8');
      worker.stdout.on('data', (chunk: string) => {
        for (const line of chunk.split('\n')) if (line.trim()) this.#options.log(line);
      });
      worker.on('message', (message: FromWorker) => this.#onMessage(slot, message));
      worker.on('error', (err) => (slot.lastError = err));
      worker.on('exit', (code) => this.#onExit(slot, code));
    });
  }

  #onMessage(slot: Slot, message: FromWorker): void {
    switch (message.kind) {
      case 'ready':
        slot.ready = true;
        slot.settleStart();
        this.#options.onWorkerOnline?.(slot.worker);
        break;
      case 'stats': {
        const { kind: _kind, id, ...stats } = message;
        slot.statsWaiting.get(id)?.resolve(stats);
        slot.statsWaiting.delete(id);
        return;
      }
      case 'result':
      case 'failed': {
        const task = slot.running;
        if (task?.id !== message.id) return;
        clearTimeout(task.timer);
        slot.running = undefined;
        if (message.kind === 'result') task.resolve(message.frames);
        else task.reject(internal(`The model failed on this image: ${message.message}`));
        break;
      }
    }
    this.#pump();
  }

  #onExit(slot: Slot, code: number): void {
    this.#slots.delete(slot);
    const cause = slot.lastError?.message ?? `exit code ${code}`;
    for (const waiting of slot.statsWaiting.values())
      waiting.reject(internal(`The moderation worker stopped (${cause}).`));
    if (slot.running) {
      clearTimeout(slot.running.timer);
      slot.running.reject(
        internal(
          slot.timedOut
            ? `Classification did not finish within ${this.#options.taskTimeoutMs} ms; the worker was stopped and is being replaced.`
            : `The moderation worker stopped unexpectedly (${cause}) while classifying this image; it is being replaced. Retry the request.`,
        ),
      );
      slot.running = undefined;
    }
    if (!slot.ready) {
      slot.settleStart(new Error(`A moderation worker failed to start: ${cause}`));
    } else if (!this.#closing) {
      this.#replace();
    }
    if (!this.#hasLiveSlot())
      this.#rejectQueued(`No moderation worker is running (the last one stopped: ${cause}).`);
    this.#pump();
  }

  #hasLiveSlot(): boolean {
    return this.#slots.size > 0;
  }

  #replace(): void {
    void this.#spawn().then(
      () => {
        this.#failedStarts = 0;
        this.#pump();
      },
      (err: Error) => {
        this.#failedStarts += 1;
        if (this.#closing) return;
        const delay = Math.min(30_000, 250 * 2 ** this.#failedStarts);
        this.#options.log(`${err.message}; retrying in ${delay} ms`);
        this.#retry = setTimeout(() => this.#replace(), delay);
      },
    );
  }

  #rejectQueued(detail: string): void {
    for (const task of this.#queue.splice(0)) task.reject(internal(detail));
  }

  #checkDrained(): void {
    if (!this.#closing || this.#queue.length > 0) return;
    for (const slot of this.#slots) if (slot.running) return;
    this.#drained?.();
  }
}
