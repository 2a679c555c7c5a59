export { ensureStack, stopStack, stackStatus, LOCAL_DATABASE } from './stack.ts';
export type { StackInfo, StackOptions, StackStatus } from './stack.ts';
export { StackError } from './errors.ts';
export type { StackErrorCode } from './errors.ts';
export { ensureDatabase, dropDatabase, ensurePostgres, stopPostgres } from './postgres.ts';
export { freePort } from './exec.ts';
