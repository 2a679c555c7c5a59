import type { OutgoingMessage, Producer } from '@fleetpivot/transport-kafka';
import { SourcePgError } from './errors.ts';

export interface SenderOptions {
  topic: string;
  /** Outstanding (queued + in flight) bytes above which `waitForCapacity` holds the reader back. */
  inflightMaxBytes: number;
  /** Upper bound of one producer.send call. */
  requestMaxBytes: number;
}

export interface SenderHooks {
  /** Every message up to and including `seq` is durably acknowledged. */
  onAcked(seq: number): void;
  /** After each acknowledged request: messages, bytes, duration, and the sum of the messages' weights. */
  onSent?(messages: number, bytes: number, seconds: number, weight: number): void;
}

interface Queued {
  seq: number;
  message: OutgoingMessage;
  bytes: number;
  weight: number;
}

/**
 * One ordered pipeline to Kafka: messages go out in the order they were queued, one request at a time,
 * so per-key order holds and acknowledgements arrive in sequence order (what the checkpoint relies on).
 * The byte budget is the backpressure: the replication reader waits on it instead of buffering a
 * million-row transaction in memory.
 */
export class OrderedSender {
  private readonly producer: Producer;
  private readonly options: SenderOptions;
  private readonly hooks: SenderHooks;
  private queue: Queued[] = [];
  private outstandingBytes = 0;
  private nextSeq = 1;
  private running = false;
  private failure: Error | null = null;
  private waiters: Array<{ bytes: number; resolve: () => void; reject: (err: Error) => void }> = [];

  constructor(producer: Producer, options: SenderOptions, hooks: SenderHooks) {
    this.producer = producer;
    this.options = options;
    this.hooks = hooks;
  }

  /** The sequence number of the last message queued (0 before any). */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  get outstanding(): number {
    return this.outstandingBytes;
  }

  get error(): Error | null {
    return this.failure;
  }

  /** `weight` is carried to onSent (the capture counts changes per message with it). */
  enqueue(message: OutgoingMessage, weight = 0): number {
    if (this.failure) throw this.failure;
    const seq = this.nextSeq++;
    const bytes = message.value.length + (message.key?.length ?? 0);
    this.queue.push({ seq, message, bytes, weight });
    this.outstandingBytes += bytes;
    if (!this.running) void this.run();
    return seq;
  }

  /** Resolves once outstanding bytes are at most `bytes` (default: the budget); rejects if sending failed. */
  waitFor(bytes = this.options.inflightMaxBytes): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.outstandingBytes <= bytes) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ bytes, resolve, reject }));
  }

  /** Resolves when everything queued so far is acknowledged. */
  drain(): Promise<void> {
    return this.waitFor(0);
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const take = this.takeRequest();
        const started = process.hrtime.bigint();
        const bytes = take.reduce((n, q) => n + q.bytes, 0);
        try {
          await this.producer.send(this.options.topic, take.map((q) => q.message));
        } catch (err) {
          throw new SourcePgError('produce_failed', `produce ${take.length} change batches to ${this.options.topic}`, { cause: err });
        }
        this.outstandingBytes -= bytes;
        const weight = take.reduce((n, q) => n + q.weight, 0);
        this.hooks.onSent?.(take.length, bytes, Number(process.hrtime.bigint() - started) / 1e9, weight);
        this.hooks.onAcked((take[take.length - 1] as Queued).seq);
        this.wake();
      }
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
      this.queue = [];
      for (const w of this.waiters.splice(0)) w.reject(this.failure);
    } finally {
      this.running = false;
    }
  }

  private takeRequest(): Queued[] {
    let bytes = 0;
    let n = 0;
    while (n < this.queue.length) {
      const q = this.queue[n] as Queued;
      if (n > 0 && bytes + q.bytes > this.options.requestMaxBytes) break;
      bytes += q.bytes;
      n++;
    }
    return this.queue.splice(0, n);
  }

  private wake(): void {
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (this.outstandingBytes <= w.bytes) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }
}
