export { uniqueName } from './names.ts';
export { createTestDatabase, dropTestDatabase, ensureTemplate, databaseUrl, TEMPLATE_DATABASE } from './database.ts';
export type { TestDatabase } from './database.ts';
export { createTestTopic, testTransport } from './topics.ts';
export type { TestTopic } from './topics.ts';
export { startTestStack, containerRuntimeAvailable } from './test-stack.ts';
export type { TestStack } from './test-stack.ts';
