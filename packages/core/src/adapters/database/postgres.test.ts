import { describe, expect, it } from 'vitest';
import { explainMigrationError } from './postgres.js';

const failed = (code: string, message: string) => Object.assign(new Error('Failed query'), { cause: { code, message } });

describe('explainMigrationError', () => {
  it('names pgvector when the vector extension cannot be created', () => {
    const error = explainMigrationError(failed('42501', 'permission denied to create extension "vector"'));
    expect(error.message).toMatch(/^Cannot enable pgvector \(permission denied to create extension "vector"\)\. .*"CREATE EXTENSION vector"/);
  });

  it('names btree_gin when that is the extension refused', () => {
    const error = explainMigrationError(failed('42501', 'permission denied to create extension "btree_gin"'));
    expect(error.message).toMatch(/^Cannot enable btree_gin \(.*\)\. Install btree_gin .*"CREATE EXTENSION btree_gin"/);
  });

  it('names the extension when it is not installed on the server', () => {
    expect(explainMigrationError(failed('0A000', 'extension "btree_gin" is not available')).message).toMatch(/^Cannot enable btree_gin/);
  });

  it('passes any other failure on with its reason', () => {
    expect(explainMigrationError(failed('42P07', 'relation "x" already exists')).message).toBe('Migration failed: relation "x" already exists');
  });
});
