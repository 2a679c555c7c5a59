import { describe, expect, it } from 'vitest';
import { preflightProblems } from './preflight.ts';
import type { SourceFacts } from './preflight.ts';

const ok: SourceFacts = {
  walLevel: 'logical',
  role: 'capture',
  canReplicate: true,
  maxReplicationSlots: 10,
  usedReplicationSlots: 2,
  slot: null,
  table: { hasPrimaryKey: true, replicaIdentity: 'd' },
  publication: null,
};
const opts = { table: { schema: 'tenant', table: 'tbl_data_timeseries' }, slotName: 's', publicationName: 'p', insertOnly: false };

describe('preflightProblems', () => {
  it('passes a ready source', () => {
    expect(preflightProblems(ok, opts)).toEqual([]);
  });
  it('names the exact fix for each problem', () => {
    const problems = preflightProblems({ ...ok, walLevel: 'replica', canReplicate: false, usedReplicationSlots: 10 }, opts);
    expect(problems.join('\n')).toContain('ALTER SYSTEM SET wal_level = logical');
    expect(problems.join('\n')).toContain('ALTER ROLE capture REPLICATION');
    expect(problems.join('\n')).toContain('max_replication_slots');
  });
  it('refuses a table without key or replica identity unless insert-only is chosen', () => {
    const noKey = { ...ok, table: { hasPrimaryKey: false, replicaIdentity: 'd' as const } };
    const [problem] = preflightProblems(noKey, opts);
    expect(problem).toContain('ALTER TABLE tenant.tbl_data_timeseries REPLICA IDENTITY FULL;');
    expect(problem).toContain('ADD PRIMARY KEY');
    expect(problem).toContain('insertOnly');
    expect(preflightProblems(noKey, { ...opts, insertOnly: true })).toEqual([]);
    expect(preflightProblems({ ...ok, table: { hasPrimaryKey: false, replicaIdentity: 'f' } }, opts)).toEqual([]);
  });
  it('checks an existing publication covers the table and the operations', () => {
    const publication = { tables: ['tenant.other'], insert: true, update: false, delete: true, truncate: true };
    const problems = preflightProblems({ ...ok, publication }, opts);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('ALTER PUBLICATION p ADD TABLE tenant.tbl_data_timeseries;');
    expect(problems[1]).toContain("publish = 'insert, update, delete, truncate'");
  });
});
