import type { Lsn } from './lsn.ts';

interface Mark {
  /** The last message sequence number queued before this point (0 = none). */
  afterSeq: number;
  lsn: Lsn;
}

/**
 * Decides which WAL position may be confirmed to PostgreSQL: a transaction's commit (or a heartbeat's)
 * LSN becomes confirmable only when every message queued before it has been acknowledged by Kafka.
 * Messages are acknowledged in sequence order (one ordered sender), so "acked up to seq N" suffices.
 */
export class CheckpointTracker {
  private readonly marks: Mark[] = [];
  private head = 0;
  private ackedSeq = 0;
  private confirmedLsn: Lsn;

  /** `initial` is the slot's confirmed_flush_lsn: never report anything lower (it would move the slot back). */
  constructor(initial: Lsn) {
    this.confirmedLsn = initial;
  }

  get confirmed(): Lsn {
    return this.confirmedLsn;
  }

  get pendingMarks(): number {
    return this.marks.length - this.head;
  }

  /** Records that everything up to `lsn` is covered once messages up to `afterSeq` are acked. */
  mark(lsn: Lsn, afterSeq: number): void {
    this.marks.push({ afterSeq, lsn });
    this.advance();
  }

  /** Kafka acknowledged every message up to and including `seq`. Returns true if `confirmed` moved. */
  acked(seq: number): boolean {
    if (seq > this.ackedSeq) this.ackedSeq = seq;
    return this.advance();
  }

  private advance(): boolean {
    const before = this.confirmedLsn;
    while (this.head < this.marks.length) {
      const m = this.marks[this.head] as Mark;
      if (m.afterSeq > this.ackedSeq) break;
      if (m.lsn > this.confirmedLsn) this.confirmedLsn = m.lsn;
      this.head++;
    }
    // Compact now and then so a long run does not keep every mark.
    if (this.head > 1024 && this.head * 2 > this.marks.length) {
      this.marks.splice(0, this.head);
      this.head = 0;
    }
    return this.confirmedLsn !== before;
  }
}
