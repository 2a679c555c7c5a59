export { migrateControl, recordAudit, recentAudit } from './audit.ts';
export type { AuditEntry, AuditRow } from './audit.ts';
