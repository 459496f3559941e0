/**
 * Hostile and broken uploads: each is refused at upload with the right 4xx problem, or
 * accepted and then failed with a readable reason, and the server stays healthy. No
 * answer in this suite may be a 5xx (every call asserts it, and the last test checks the log).
 *
 * The app runs with both size limits lowered: the HTTP body limit (createApp
 * `maxUploadBytes`, 3 MiB + multipart framing) and the core's own limit (createAtrium
 * `settings.maxUploadBytes`, 2 MiB). Both stay above the 1 MiB ZIP-bomb fixture.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AtriumCore } from '@atrium/core';
import { testDatabaseTargets } from '@atrium/core/test';
import { createSpace, expectProblem } from '../helpers.js';
import {
  api,
  createCollection,
  fixtureBytes,
  openKnowledgeHarness,
  sendForm,
  upload,
  uploadFixture,
  waitForDocument,
  waitForJob,
  type KnowledgeHarness,
} from './helpers.js';

const MiB = 1024 * 1024;
const HTTP_LIMIT = 3 * MiB;
const CORE_LIMIT = 2 * MiB;

/** Text of exactly `bytes` bytes (valid UTF-8, so only its size is wrong). */
const textOfSize = (bytes: number): Uint8Array => new TextEncoder().encode('All work and no play. '.repeat(Math.ceil(bytes / 22)).slice(0, bytes));

describe.each(await testDatabaseTargets())('hostile uploads on $name', (target) => {
  let h: KnowledgeHarness;
  let token: string;
  let collectionId: string;
  /** How often the core's createDocument ran: proves which layer refused an upload. */
  let coreCreateCalls = 0;

  const wrapCore = (core: AtriumCore): AtriumCore => ({
    ...core,
    documents: {
      ...core.documents,
      create: (...args: Parameters<AtriumCore['documents']['create']>) => {
        coreCreateCalls++;
        return core.documents.create(...args);
      },
    },
  });

  beforeAll(async () => {
    h = await openKnowledgeHarness(target, { httpMaxUploadBytes: HTTP_LIMIT, settings: { maxUploadBytes: CORE_LIMIT }, wrapCore });
    token = h.tenant.token;
    const space = await createSpace(h.app, token);
    collectionId = (await createCollection(h, token, space.id, { name: 'Hostile', chunking: { chunkTokens: 2048, overlapTokens: 0 } })).id;
  });
  afterAll(async () => {
    await h?.close();
  });

  const documentTotal = async (): Promise<number> => {
    const r = await api(h, 'GET', `/api/v1/collections/${collectionId}`, { token });
    expect(r.status, r.text).toBe(200);
    return r.body.documentCounts.total;
  };

  it('a PNG named .pdf is refused with 415 and creates nothing', async () => {
    const before = await documentTotal();
    const r = await uploadFixture(h, token, collectionId, 'image-named.pdf');
    expectProblem(r, 415, 'unsupported_media_type');
    expect(r.body.detail).toMatch(/PDF/);
    expect(await documentTotal()).toBe(before);
  });

  it('a text file with stray NUL characters is ingested without them', async () => {
    // Below the binary-garbage threshold, so accepted; PostgreSQL text cannot hold U+0000.
    const text = `Stray bytes\u0000 in the middle of a sentence about lighthouse maintenance.\n\n${'Keepers polish the lens every morning. '.repeat(20)}`;
    const r = await upload(h, token, collectionId, { bytes: new TextEncoder().encode(text), filename: 'nul.txt', type: 'text/plain' });
    expect(r.status, r.text).toBe(202);
    const document = await waitForDocument(h, token, r.body.document.id);
    expect(document.status, JSON.stringify(document)).toBe('ready');
    const chunks = await api(h, 'GET', `/api/v1/documents/${document.id}/chunks`, { token });
    expect(chunks.status).toBe(200);
    const joined = chunks.body.data.map((c: { text: string }) => c.text).join('');
    expect(joined).toContain('lighthouse maintenance');
    expect(joined).not.toContain('\u0000');
  });

  it('random bytes named .txt are refused with 415', async () => {
    const before = await documentTotal();
    const r = await uploadFixture(h, token, collectionId, 'random-bytes.txt');
    expectProblem(r, 415, 'unsupported_media_type');
    expect(await documentTotal()).toBe(before);
  });

  it('the ZIP-bomb DOCX is refused at upload: 422 zip_bomb, judged from its directory, nothing stored', async () => {
    const before = await documentTotal();
    const r = await uploadFixture(h, token, collectionId, 'zip-bomb.docx');
    expectProblem(r, 422, 'zip_bomb');
    expect(r.body.detail).toMatch(/ZIP bomb/);
    expect(await documentTotal()).toBe(before);
  });

  it('a truncated PDF is accepted, then fails with a readable error (once: no retries for a broken file)', async () => {
    const r = await uploadFixture(h, token, collectionId, 'truncated.pdf');
    expect(r.status, r.text).toBe(202);
    expect(r.body.document.format).toBe('pdf'); // it does start with %PDF-
    const document = await waitForDocument(h, token, r.body.document.id);
    expect(document).toMatchObject({ status: 'failed', chunkCount: 0 });
    expect(document.error).toMatch(/^The PDF could not be read/);
    expect(document.error).not.toMatch(/\n\s+at |Error:|undefined/); // a sentence for people, not a stack trace
    const job = await waitForJob(h, token, r.body.job.id);
    expect(job).toMatchObject({ status: 'failed', attempts: 1, error: document.error, finishedAt: expect.any(String) });
    const chunks = await api(h, 'GET', `/api/v1/documents/${document.id}/chunks`, { token });
    expect(chunks.status).toBe(200);
    expect(chunks.body.data).toEqual([]);
  });

  it('an empty DOCX fails with an error saying no text was found', async () => {
    const r = await uploadFixture(h, token, collectionId, 'empty.docx');
    expect(r.status, r.text).toBe(202);
    expect(r.body.document.format).toBe('docx');
    const document = await waitForDocument(h, token, r.body.document.id);
    expect(document).toMatchObject({ status: 'failed', chunkCount: 0 });
    expect(document.error).toMatch(/no text/i);
    expect(document.error).toMatch(/Word/);
    const job = await waitForJob(h, token, r.body.job.id);
    expect(job).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('the HTTP body limit answers 413 before the core is asked', async () => {
    const callsBefore = coreCreateCalls;
    const r = await upload(h, token, collectionId, { bytes: textOfSize(HTTP_LIMIT + 256 * 1024), filename: 'huge.txt', type: 'text/plain' });
    expectProblem(r, 413, 'file_too_large');
    expect(r.body.detail).toContain('3 MB');
    expect(coreCreateCalls).toBe(callsBefore);
  });

  it('the core limit answers 413 for a file under the HTTP limit but over the core limit', async () => {
    const before = await documentTotal();
    const callsBefore = coreCreateCalls;
    const r = await upload(h, token, collectionId, { bytes: textOfSize(CORE_LIMIT + 512 * 1024), filename: 'big.txt', type: 'text/plain' });
    expectProblem(r, 413, 'file_too_large');
    expect(r.body.detail).toContain('2 MB');
    expect(coreCreateCalls).toBe(callsBefore + 1);
    // The same limit holds for text sent as JSON.
    const json = await api(h, 'POST', `/api/v1/collections/${collectionId}/documents`, {
      token,
      json: { title: 'Too long', text: new TextDecoder().decode(textOfSize(CORE_LIMIT + 1024)) },
    });
    expectProblem(json, 413, 'file_too_large');
    expect(await documentTotal()).toBe(before);
  });

  it('a file just under the core limit is accepted and ingested', { timeout: 120_000 }, async () => {
    const r = await upload(h, token, collectionId, { bytes: textOfSize(CORE_LIMIT - 1024), filename: 'fits.txt', type: 'text/plain' });
    expect(r.status, r.text).toBe(202);
    expect(r.body.document.byteSize).toBe(CORE_LIMIT - 1024);
    const document = await waitForDocument(h, token, r.body.document.id, 100_000);
    expect(document).toMatchObject({ status: 'ready', format: 'text', error: null });
    expect(document.chunkCount).toBeGreaterThan(1);
  });

  it('an empty file is refused with 422 naming `file`', async () => {
    const r = await upload(h, token, collectionId, { bytes: new Uint8Array(0), filename: 'empty.txt', type: 'text/plain' });
    expectProblem(r, 422, 'validation_failed');
    expect(r.body.errors).toEqual([expect.objectContaining({ path: 'file' })]);
  });

  it('a multipart body without a `file` field (or with `file` as plain text) is refused with 422', async () => {
    const wrongField = await upload(h, token, collectionId, { bytes: fixtureBytes('notes.txt'), filename: 'notes.txt', field: 'document' });
    expectProblem(wrongField, 422, 'validation_failed');
    expect(wrongField.body.errors).toEqual([expect.objectContaining({ path: 'file' })]);

    const titleOnly = new FormData();
    titleOnly.append('title', 'No file here');
    const noFile = await sendForm(h, token, collectionId, titleOnly);
    expectProblem(noFile, 422, 'validation_failed');
    expect(noFile.body.errors).toEqual([expect.objectContaining({ path: 'file' })]);

    const asString = new FormData();
    asString.append('file', 'just a string, not a file');
    const stringField = await sendForm(h, token, collectionId, asString);
    expectProblem(stringField, 422, 'validation_failed');
    expect(stringField.body.errors).toEqual([expect.objectContaining({ path: 'file' })]);
  });

  it('NUL characters in the file name or the title are refused with 422, not a 500 from the database', async () => {
    const before = await documentTotal();
    const badName = await upload(h, token, collectionId, { bytes: fixtureBytes('notes.txt'), filename: 'notes\u0000.txt', type: 'text/plain' });
    expectProblem(badName, 422, 'validation_failed');
    expect(badName.body.errors).toEqual([expect.objectContaining({ path: 'file' })]);
    const badTitle = await upload(h, token, collectionId, { bytes: fixtureBytes('notes.txt'), filename: 'notes.txt', type: 'text/plain', title: 'Notes\u0000' });
    expectProblem(badTitle, 422, 'validation_failed');
    expect(badTitle.body.errors).toEqual([expect.objectContaining({ path: 'title' })]);
    expect(await documentTotal()).toBe(before);
  });

  it('after all of that the server is healthy: /healthz and /readyz are 200 and a normal upload becomes ready', async () => {
    const health = await api(h, 'GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });
    const ready = await api(h, 'GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok' });
    const r = await uploadFixture(h, token, collectionId, 'report.docx');
    expect(r.status, r.text).toBe(202);
    const document = await waitForDocument(h, token, r.body.document.id);
    expect(document).toMatchObject({ status: 'ready', format: 'docx' });
    expect(document.chunkCount).toBeGreaterThan(0);
  });

  it('no answer in this suite was a 5xx', () => {
    expect(h.statuses.length).toBeGreaterThan(20);
    expect(h.statuses.filter((status) => status >= 500)).toEqual([]);
    // The refusals above really were refusals.
    expect(h.statuses).toEqual(expect.arrayContaining([413, 415, 422]));
  });
});
