// scratch: build a 10k chunk PG database for BM25 profiling, keep it.
import pg from 'pg';
import { createAtrium } from '@atrium/core/node';
import { BENCH_JWT_SECRET, tempDir } from '../lib/common.js';
import { prepareChatDatabase, questionMix } from '../lib/chat.js';
import { writeFileSync } from 'node:fs';

const url = 'postgres://postgres@127.0.0.1:5432/bm25prof';
const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
await admin.connect();
await admin.query('drop database if exists bm25prof with (force)');
await admin.query('create database bm25prof');
await admin.end();
const setup = await createAtrium({ databaseUrl: url, dataDir: tempDir('bm25prof'), bcryptCost: 4, jwtSecret: BENCH_JWT_SECRET, runJobs: false });
const client = new pg.Client({ connectionString: url });
await client.connect();
const prepared = await prepareChatDatabase(setup, client, 10_000);
await client.end();
await setup.close();
writeFileSync('/tmp/bm25prof.json', JSON.stringify({ tenantId: prepared.tenantId, collectionId: prepared.collectionId, questions: questionMix(200, 10_000) }, null, 1));
console.log(prepared.loadNote);
