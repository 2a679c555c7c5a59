export type { CellOp, Position, ParkReason, Parked, ShipRows, Reduction, ShipFill } from './types.ts';
export { CellReducer, reduceBatches } from './reduce.ts';
export { columnTypeFor, valueForColumn, overflowEntry } from './convert.ts';
export type { ColumnMode, ColumnType } from './convert.ts';
export { RESERVED_COLUMNS, DEFAULT_PART_BUDGET, columnBytes, tableBaseName, uniqueIdentifier, safeIdentifierCandidates, assignColumns } from './layout.ts';
export type { PartBudget, PartState, ColumnAssignment } from './layout.ts';
