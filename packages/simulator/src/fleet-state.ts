import { ChannelPicker, ShipPicker, defaultFormatMix } from './fleet.ts';
import type { FormatMix } from './fleet.ts';
import { createChannel } from './values.ts';
import type { ChannelModel } from './values.ts';

export interface FleetOptions {
  /** Same seed, same ships, channels, formats and values. */
  seed: number;
  /** Ships at the start. */
  ships: number;
  /** Channels per ship at the start (each ship draws its own subset of the real Local IDs). */
  channels: number;
  formatMix?: FormatMix;
}

export interface ChannelState {
  model: ChannelModel;
  /** First sample step (time / sample period) at which this channel has data. */
  sinceStep: number;
}

export interface ShipState {
  index: number;
  shipId: string;
  sinceStep: number;
  channels: ChannelState[];
  picker: ChannelPicker;
}

/** The simulated fleet: who exists and since when, so history, live ticks and corrections agree. */
export interface Fleet {
  seed: number;
  formatMix: FormatMix;
  ships: ShipState[];
  shipPicker: ShipPicker;
}

export function createFleet(options: FleetOptions, sinceStep = Number.NEGATIVE_INFINITY): Fleet {
  const fleet: Fleet = {
    seed: options.seed,
    formatMix: options.formatMix ?? defaultFormatMix,
    ships: [],
    shipPicker: new ShipPicker(options.seed),
  };
  for (let i = 0; i < options.ships; i++) addShip(fleet, options.channels, sinceStep);
  return fleet;
}

export function addShip(fleet: Fleet, channelCount: number, sinceStep: number): ShipState {
  const index = fleet.ships.length;
  const shipId = fleet.shipPicker.at(index);
  const ship: ShipState = { index, shipId, sinceStep, channels: [], picker: new ChannelPicker(fleet.seed, shipId) };
  for (let i = 0; i < channelCount; i++) addChannel(fleet, ship, sinceStep);
  fleet.ships.push(ship);
  return ship;
}

/** Adds the ship's next channel; undefined once the ship uses every distinct Local ID. */
export function addChannel(fleet: Fleet, ship: ShipState, sinceStep: number): ChannelState | undefined {
  const channelId = ship.picker.next();
  if (channelId === undefined) return undefined;
  const channel = { model: createChannel(fleet.seed, ship.shipId, channelId, fleet.formatMix), sinceStep };
  ship.channels.push(channel);
  return channel;
}
