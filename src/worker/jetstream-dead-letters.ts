/**
 * The dead letters of a JetStream source: the stream `<stream>_DLQ`, each message the body a
 * worker gave up on with the reason and its origin in headers (see jetstream-source.ts).
 * Redriving publishes a dead letter back to the subject it first arrived on, then deletes it
 * from the dead-letter stream.
 *
 * Facts (NATS docs, "JetStream API Reference": STREAM.MSG.GET by sequence, STREAM.MSG.DELETE;
 * message deduplication by `Nats-Msg-Id` within the stream's duplicate window).
 */
import { connect, headers as natsHeaders, type JetStreamManager, type NatsConnection } from 'nats';
import type { DeadLetterStore, WorkerDeadLetter } from './types.js';

export interface JetStreamDeadLettersOptions {
  servers: string | string[];
  /** The source stream; its dead letters are in `<stream>_DLQ`. */
  stream: string;
}

export class JetStreamDeadLetters implements DeadLetterStore {
  readonly name: string;
  private readonly deadLetterStream: string;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly stream: string,
  ) {
    this.deadLetterStream = `${stream}_DLQ`;
    this.name = `jetstream:${this.deadLetterStream}`;
  }

  static async open(options: JetStreamDeadLettersOptions): Promise<JetStreamDeadLetters> {
    const nc = await connect({
      servers: options.servers,
      name: 'vigil-dead-letters',
      timeout: 5000,
      reconnect: false,
    });
    try {
      return new JetStreamDeadLetters(nc, await nc.jetstreamManager(), options.stream);
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  async list(limit: number): Promise<WorkerDeadLetter[]> {
    const letters: WorkerDeadLetter[] = [];
    const state = await this.state();
    if (!state) return letters;
    for (let seq = state.first; seq <= state.last && letters.length < limit; seq++) {
      const stored = await this.get(seq);
      if (stored) letters.push(stored.letter);
    }
    return letters;
  }

  async redrive(ids: readonly string[] | 'all'): Promise<number> {
    const state = await this.state();
    if (!state && ids === 'all') return 0;
    const sequences =
      ids === 'all'
        ? range(state!.first, state!.last)
        : ids.map((id) => {
            if (!/^\d{1,15}$/.test(id)) throw new Error(`no dead letter ${id} in ${this.name}`);
            return Number(id);
          });
    const js = this.nc.jetstream();
    let redriven = 0;
    for (const seq of sequences) {
      const stored = await this.get(seq);
      if (!stored) {
        if (ids === 'all') continue;
        throw new Error(`no dead letter ${seq} in ${this.name}`);
      }
      if (stored.subject === undefined)
        throw new Error(
          `dead letter ${seq} in ${this.name} does not say which subject it came from (no Vigil-Source-Subject header)`,
        );
      const h = natsHeaders();
      h.set('Vigil-Redriven-From', `${this.deadLetterStream}:${seq}`);
      // The id makes a second redrive of the same letter (a crash before the delete below) a
      // duplicate the stream drops, within its duplicate window.
      await js.publish(stored.subject, stored.letter.body, {
        headers: h,
        msgID: `${this.deadLetterStream}:${seq}:redrive`,
      });
      await this.jsm.streams.deleteMessage(this.deadLetterStream, seq, false);
      redriven += 1;
    }
    return redriven;
  }

  async close(): Promise<void> {
    await this.nc.close();
  }

  /** The dead-letter stream's first and last sequence; undefined when it is missing or empty. */
  private async state(): Promise<{ first: number; last: number } | undefined> {
    const info = await this.jsm.streams.info(this.deadLetterStream).catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
    if (!info || info.state.messages === 0) return undefined;
    return { first: info.state.first_seq, last: info.state.last_seq };
  }

  /** One dead letter and the subject to send it back to; undefined for a sequence deleted. */
  private async get(
    seq: number,
  ): Promise<{ letter: WorkerDeadLetter; subject: string | undefined } | undefined> {
    const stored = await this.jsm.streams
      .getMessage(this.deadLetterStream, { seq })
      .catch((error: unknown) => {
        if (isNotFound(error)) return undefined;
        throw error;
      });
    if (!stored) return undefined;
    const header = (name: string) => stored.header?.get(name) || undefined;
    const attempts = Number(header('Vigil-Attempts'));
    return {
      subject: header('Vigil-Source-Subject'),
      letter: {
        id: String(seq),
        reason: header('Vigil-Dead-Letter-Reason') ?? '(no reason given)',
        attempts: Number.isInteger(attempts) && attempts > 0 ? attempts : null,
        deadAt: stored.time.getTime(),
        body: new TextDecoder().decode(stored.data),
      },
    };
  }
}

function range(first: number, last: number): number[] {
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

/** JetStream's 404s: stream not found (10059), no message found (10037). */
function isNotFound(error: unknown): boolean {
  const api = (error as { api_error?: { code?: number; err_code?: number } } | null)?.api_error;
  return api?.code === 404 || api?.err_code === 10059 || api?.err_code === 10037;
}
