import pg from 'pg';
import type { Logger } from '@fleetpivot/telemetry';
import { SourcePgError } from './errors.ts';

export interface LeaderLockOptions {
  connectionString: string;
  /** The lock is per slot: two deployments with different slots do not exclude each other. */
  slotName: string;
  pollMs: number;
}

/**
 * One active reader per slot: a session-level advisory lock held on a dedicated connection. A standby
 * polls pg_try_advisory_lock; when the active process dies its session ends, PostgreSQL releases the lock
 * and the standby takes over. Losing the lock connection means losing leadership: `onLost` fires and the
 * capture must stop reading at once.
 */
export class LeaderLock {
  private readonly options: LeaderLockOptions;
  private readonly logger: Logger;
  private client: pg.Client | null = null;
  private held = false;
  private released = false;
  private lostHandler: ((err: Error) => void) | null = null;

  constructor(options: LeaderLockOptions, logger: Logger) {
    this.options = options;
    this.logger = logger;
  }

  get isHeld(): boolean {
    return this.held;
  }

  /** Resolves true once the lock is ours, false if `shouldStop` turned true first. */
  async acquire(shouldStop: () => boolean): Promise<boolean> {
    const client = new pg.Client({ connectionString: this.options.connectionString, application_name: 'fleetpivot-capture-lock', keepAlive: true });
    client.on('error', (err) => this.lost(err));
    client.on('end', () => this.lost(new Error('lock connection ended')));
    this.client = client;
    await client.connect();
    let logged = false;
    while (!shouldStop()) {
      const r = await client.query<{ ok: boolean }>(
        "SELECT pg_try_advisory_lock(hashtext('fleetpivot.capture'), hashtext($1)) AS ok",
        [this.options.slotName],
      );
      if (r.rows[0]?.ok) {
        this.held = true;
        return true;
      }
      if (!logged) this.logger.info({ slot: this.options.slotName }, 'another capture is active; waiting as standby');
      logged = true;
      await new Promise((resolve) => setTimeout(resolve, this.options.pollMs));
    }
    return false;
  }

  onLost(handler: (err: Error) => void): void {
    this.lostHandler = handler;
  }

  /** Cheap liveness probe of the lock session; a failure counts as losing the lock. */
  async check(): Promise<void> {
    if (!this.client || this.released) return;
    try {
      await this.client.query('SELECT 1');
    } catch (err) {
      this.lost(err instanceof Error ? err : new Error(String(err)));
    }
  }

  async release(): Promise<void> {
    this.released = true;
    const client = this.client;
    this.client = null;
    this.held = false;
    // Ending the session releases the lock; an explicit unlock first makes the hand-over immediate.
    await client?.query("SELECT pg_advisory_unlock_all()").catch(() => undefined);
    await client?.end().catch(() => undefined);
  }

  private lost(err: Error): void {
    if (this.released) return;
    const wasHeld = this.held;
    this.held = false;
    this.released = true;
    if (wasHeld) this.lostHandler?.(new SourcePgError('leadership_lost', 'lost the capture leader lock connection', { cause: err }));
    else this.lostHandler?.(err);
  }
}
