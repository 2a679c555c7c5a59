import type { ChangeBatchCodec } from '@fleetpivot/events';
import { CellBatches } from './cell-sink.ts';
import type { ChunkSink, SinkContext } from './chunk-sink.ts';
import { fillMessages } from './chunk-messages.ts';
import { GroupReader } from './channel-groups.ts';
import type { FillArrays } from './fill-arrays.ts';
import { FillBuilder, type FillCaps, type FillCells } from './fill-builder.ts';
import { decodeNarrowRow } from './narrow-row.ts';

/**
 * The columnar encoding (`encoding: 'columnar'`, the default). Regular rows become cells of FillBlocks
 * (fill-builder.ts says which rows are regular); any other row is decoded as today and sent in cell form, in
 * messages of its own (`changes` only), so the pivot treats it exactly as the same live row.
 *
 * A time's cells are spread over the chunk's stream, so the cells are collected until the COPY ends and then
 * cut into messages; at a cap (FillCaps) what is held is sent and collecting starts over, so memory stays
 * bounded whatever the chunk really holds. That only costs size: the same time then appears in more blocks.
 * The consumer applies a message's changes and block in one transaction, and fills commute with each other,
 * so the order of these messages does not matter; of two narrow rows with the same (ship, channel, time)
 * (a table without primary key), which one fills the cell is unspecified, as it is in cell form.
 */
export function columnarSink(ctx: SinkContext & { codec: ChangeBatchCodec; caps: FillCaps; grouped?: boolean; spare?: FillArrays[] | undefined }): ChunkSink {
  const builder = new FillBuilder(ctx.caps, ctx.spare);
  const irregular = new CellBatches(ctx.batchMaxChanges, ctx.batchMaxBytes);
  const held: FillCells[] = [];
  // The block gets what the rest of the message leaves of batchMaxBytes (the envelope, encoded once exactly).
  const envelope = ctx.codec.encode({ ship_id: ctx.shipId, source: ctx.source, changes: [], fills: null }).length;
  const caps = { maxCells: ctx.batchMaxChanges, maxBytes: Math.max(1024, ctx.batchMaxBytes - envelope) };
  const flush = async () => {
    for (let b = irregular.next(); b; b = irregular.next()) await ctx.sender.send({ ship_id: ctx.shipId, source: ctx.source, changes: b, fills: null }, b.length);
    for (let cells = held.shift(); cells; cells = held.shift()) {
      for (const m of fillMessages(cells, caps)) await ctx.sender.send({ ship_id: ctx.shipId, source: ctx.source, changes: [], fills: m.block }, m.cells);
      // Every block is encoded (a send returns once its message is): the cells' arrays serve the next take.
      builder.recycle(cells);
    }
  };
  const finish = async () => {
    if (builder.cells > 0) held.push(builder.take());
    irregular.close();
    await flush();
  };
  if (ctx.grouped) {
    // Group tuples (channel-groups.ts): the same builder and the same cell form, fed per element.
    const reader = new GroupReader(builder, { onFull: () => held.push(builder.take()), onIrregular: (row) => irregular.add(row.change, row.bytes) });
    return { row: reader.group, flush, finish, narrowRows: () => reader.rows };
  }
  return {
    row(fields) {
      if (builder.add(fields)) {
        if (builder.full) held.push(builder.take());
        return;
      }
      const row = decodeNarrowRow(fields);
      irregular.add(row.change, row.bytes);
    },
    flush,
    finish,
  };
}
