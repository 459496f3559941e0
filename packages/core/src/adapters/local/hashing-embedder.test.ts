import { describe, expect, it } from 'vitest';
import { AtriumError } from '../../domain/errors.js';
import { hashingEmbedder, hashingVector } from './hashing-embedder.js';
import { localEmbeddingModels } from './registry.js';
import { normalizeText, terms } from './text-features.js';

const cosine = (a: number[], b: number[]) => a.reduce((sum, v, i) => sum + v * b[i]!, 0);
const norm = (v: number[]) => Math.sqrt(cosine(v, v));

describe('hashingEmbedder', () => {
  const model = hashingEmbedder();

  it('describes itself', () => {
    expect(model).toMatchObject({ specificationVersion: 'v1', modelId: 'local-hash-v1', dimensions: 384, maxBatchSize: 256 });
    expect(hashingEmbedder({ dimensions: 768 }).modelId).toBe('local-hash-v1-768');
    expect(() => hashingEmbedder({ dimensions: 3 })).toThrow(AtriumError);
    expect(() => hashingEmbedder({ dimensions: 100.5 })).toThrow(AtriumError);
  });

  it('returns one unit vector per text, in order', async () => {
    const vectors = await model.embed(['How do I refund a customer?', 'Paid time off', 'x']);
    expect(vectors).toHaveLength(3);
    for (const v of vectors) {
      expect(v).toHaveLength(384);
      expect(norm(v)).toBeCloseTo(1, 10);
    }
    expect(cosine(vectors[0]!, vectors[1]!)).toBeLessThan(0.5);
  });

  it('is deterministic, down to the bit, across calls and instances', async () => {
    const text = 'Refunds reach the customer in five to ten business days.';
    const [a] = await model.embed([text]);
    const [b] = await hashingEmbedder().embed([text]);
    expect(b).toEqual(a);
    // Pinned values: if these change, vectors stored under local-hash-v1 no longer match
    // new ones. Change the model id (local-hash-v2) instead of these numbers.
    const pinned = hashingVector('refund policy', 384);
    const nonZero = pinned.flatMap((v, i) => (v === 0 ? [] : [[i, Math.round(v * 1e6) / 1e6]]));
    expect(nonZero).toHaveLength(30);
    expect(nonZero.slice(0, 6)).toEqual([[9, 0.096472], [33, -0.096472], [45, -0.096472], [57, 0.096472], [70, -0.096472], [72, 0.192944]]);
    expect(pinned.reduce((sum, v, i) => sum + v * (i + 1), 0)).toBeCloseTo(-15.976833132, 8);
  });

  it('ranks related texts above unrelated ones', async () => {
    const [query, related, unrelated] = await model.embed([
      'how do I get my money back for an invoice',
      'Refund an invoice: the money goes back to the customer’s card.',
      'Office badges open the doors from 7:00 to 21:00.',
    ]);
    expect(cosine(query!, related!)).toBeGreaterThan(cosine(query!, unrelated!) + 0.1);
  });

  it('puts morphological variants and typos close together', async () => {
    const [refund, refunds, refunding, refunded, typo, other] = await model.embed([
      'refund',
      'refunds',
      'refunding',
      'refunded',
      'refnud',
      'holiday',
    ]);
    for (const variant of [refunds, refunding, refunded]) expect(cosine(refund!, variant!)).toBeGreaterThan(0.6);
    expect(cosine(refund!, typo!)).toBeGreaterThan(cosine(refund!, other!));
  });

  it('ignores case, accents and stopwords', async () => {
    const [a, b, c] = await model.embed(['Café Menu', 'the cafe menu', 'CAFÉ MENÜ']);
    expect(cosine(a!, b!)).toBeCloseTo(1, 10);
    expect(cosine(a!, c!)).toBeCloseTo(1, 10);
  });

  it('embeds empty and symbol-only text as the zero vector, without NaN', async () => {
    const vectors = await model.embed(['', '   ', '!!! ???', 'the and of']);
    for (const v of vectors) {
      expect(v).toHaveLength(384);
      expect(v.every((x) => x === 0)).toBe(true);
    }
    expect(await model.embed([])).toEqual([]);
  });

  it('handles CJK and emoji text', async () => {
    const [a, b, c] = await model.embed(['返金は三十日以内に可能です', '返金の期限は三十日です', '🙂 hello 🙂']);
    expect(a!.every(Number.isFinite)).toBe(true);
    expect(norm(c!)).toBeCloseTo(1, 10);
    expect(cosine(a!, b!)).toBeGreaterThan(0.2);
  });

  it('honours an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(model.embed(['x'], { signal: controller.signal })).rejects.toThrow();
  });
});

describe('text analysis', () => {
  it('normalises width, case and Latin diacritics but keeps other scripts', () => {
    expect(normalizeText('Ｃａｆé ÉLAN')).toBe('cafe elan');
    expect(normalizeText('हिंदी')).toBe('हिंदी');
  });

  it('drops stopwords, stems English and pairs unspaced scripts', () => {
    expect(terms('How do I refund the payments?').map((t) => t.stem)).toEqual(['refund', 'payment']);
    expect(terms('東京都').map((t) => t.stem)).toEqual(['東京', '京都']);
  });
});

describe('localEmbeddingModels', () => {
  it('offers the default model and other sizes on request', () => {
    const models = localEmbeddingModels();
    expect(models.defaultModelId).toBe('local-hash-v1');
    expect(models.get('local-hash-v1')?.dimensions).toBe(384);
    expect(models.get('local-hash-v1-768')?.dimensions).toBe(768);
    expect(models.get('local-hash-v1-384')).toBeNull(); // spelled local-hash-v1
    expect(models.get('local-hash-v1-7')).toBeNull();
    expect(models.get('text-embedding-3-small')).toBeNull();
    expect(models.list().map((m) => m.modelId)).toEqual(['local-hash-v1', 'local-hash-v1-768']);
    const larger = localEmbeddingModels({ dimensions: 768 });
    expect(larger.defaultModelId).toBe('local-hash-v1-768');
    expect(larger.get('local-hash-v1')?.dimensions).toBe(384);
  });
});
