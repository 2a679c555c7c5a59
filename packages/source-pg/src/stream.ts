import { LogicalReplicationService } from 'pg-logical-replication';
import type pg from 'pg';
import type { Logger } from '@fleetpivot/telemetry';
import { quoteIdent, quoteLiteral } from '@fleetpivot/pgkit';
import { decodePgoutput } from './pgoutput.ts';
import type { PgoutputMessage } from './pgoutput.ts';
import { formatLsn, parseLsn } from './lsn.ts';
import type { Lsn } from './lsn.ts';

export interface ReplicationStreamOptions {
  connectionString: string;
  slotName: string;
  publicationName: string;
  applicationName?: string;
}

/** Called for every decoded message, in WAL order; the stream reads nothing more until it resolves. */
export type MessageHandler = (message: PgoutputMessage, walStart: Lsn) => Promise<void>;

/**
 * The replication connection, through pg-logical-replication with every automatic acknowledgement off:
 * - `acknowledge.auto: false`: it would confirm each message as it arrives;
 * - `acknowledge.timeoutSeconds: 0`: its timer confirms the last *received* LSN (its issue #174),
 *   which would tell PostgreSQL to discard WAL whose events Kafka never acknowledged;
 * - `flowControl.enabled: true`: it pauses the socket while our async handler runs (backpressure).
 * Keepalives are answered here, always with the confirmed (Kafka-acknowledged) position.
 * Values are decoded by our own pgoutput decoder, which keeps the exact text of every column.
 */
export class ReplicationStream {
  private readonly options: ReplicationStreamOptions;
  private readonly logger: Logger;
  private readonly service: LogicalReplicationService;
  private confirmedLsn: Lsn = 0n;

  constructor(options: ReplicationStreamOptions, logger: Logger) {
    this.options = options;
    this.logger = logger;
    const clientConfig: pg.ClientConfig = {
      connectionString: options.connectionString,
      application_name: options.applicationName ?? 'fleetpivot-capture',
      // pgoutput renders values with the walsender session's settings: pin the ones values.ts parses.
      options: '-c DateStyle=ISO,MDY -c TimeZone=UTC -c extra_float_digits=3',
    };
    this.service = new LogicalReplicationService(clientConfig, {
      acknowledge: { auto: false, timeoutSeconds: 0 },
      flowControl: { enabled: true },
    });
  }

  /**
   * Streams from the slot's confirmed position until stopped. Resolves when the stream ends (stop() or
   * the server closing it), rejects on a replication error. `onError` gets handler failures.
   */
  async run(confirmed: Lsn, handler: MessageHandler, onError: (err: unknown) => void): Promise<void> {
    this.confirmedLsn = confirmed;
    this.service.on('data', async (lsn: string, message: PgoutputMessage) => {
      try {
        await handler(message, parseLsn(lsn));
      } catch (err) {
        onError(err);
      }
    });
    this.service.on('heartbeat', (_lsn: string, _ts: number, shouldRespond: boolean) => {
      if (shouldRespond) this.sendStatus();
    });
    this.service.on('error', (err: Error) => onError(err));
    const { slotName, publicationName } = this.options;
    const plugin = {
      options: {},
      name: 'pgoutput',
      parse: (buf: Buffer) => decodePgoutput(buf),
      start: (client: pg.Client, slot: string, lsn: string) =>
        client.query(
          `START_REPLICATION SLOT ${quoteIdent(slot)} LOGICAL ${lsn} (proto_version '1', publication_names ${quoteLiteral(quoteIdent(publicationName))}, messages 'true')`,
        ),
    };
    // 0/0: the server starts from the slot's confirmed_flush_lsn, the only position we trust.
    await this.service.subscribe(plugin, slotName, '0/0');
  }

  /** Sets the position reported to PostgreSQL and reports it now. Never moves backwards. */
  confirm(lsn: Lsn): void {
    if (lsn <= this.confirmedLsn) return;
    this.confirmedLsn = lsn;
    this.sendStatus();
  }

  get confirmed(): Lsn {
    return this.confirmedLsn;
  }

  /** A standby status update with write = flush = apply = the confirmed position. */
  sendStatus(): void {
    if (this.confirmedLsn === 0n) return;
    // acknowledge() reports lsn + 1; passing confirmed - 1 reports exactly `confirmed`, so repeated
    // updates never creep past a commit that has not been acknowledged by Kafka.
    this.service.acknowledge(formatLsn(this.confirmedLsn - 1n)).catch((err: unknown) => this.logger.warn({ err }, 'standby status update failed'));
  }

  async stop(): Promise<void> {
    await this.service.destroy();
  }
}
