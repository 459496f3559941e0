/**
 * Loads bench/fixtures/retrieval and scores an embedding model on it: chunk every
 * document, embed the chunks, rank documents by their best chunk's cosine similarity.
 * Shared by the quality test (a regression floor) and ad-hoc tuning runs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CHUNKING, type ChunkingSettings } from '../src/domain/knowledge.js';
import type { EmbeddingModel } from '../src/ports/models.js';
import type { ExtractedBlock } from '../src/ports/ingestion.js';
import { chunkDocument, embeddingTextFor } from '../src/retrieval/chunking.js';
import { mean, ndcgAt, recallAt, reciprocalRankAt } from '../src/retrieval/metrics.js';

const root = fileURLToPath(new URL('../../../bench/fixtures/retrieval/', import.meta.url));

export interface FixtureQuery {
  id: string;
  query: string;
  kind: string;
  relevant: string[];
}

/** Just enough Markdown for the fixtures: ATX headings, blank-line paragraphs, lists. */
export const markdownBlocks = (markdown: string): ExtractedBlock[] =>
  markdown
    .split(/\n\s*\n/)
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part): ExtractedBlock => {
      const heading = /^(#{1,6})\s+(.*)$/.exec(part);
      if (heading) return { kind: 'heading', level: heading[1]!.length, text: heading[2]! };
      return { kind: /^[-*] /.test(part) ? 'list' : 'paragraph', text: part };
    });

export const loadFixtures = () => {
  const documents = readdirSync(`${root}docs`)
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => ({ name, blocks: markdownBlocks(readFileSync(`${root}docs/${name}`, 'utf8')) }));
  const queries = JSON.parse(readFileSync(`${root}queries.json`, 'utf8')) as FixtureQuery[];
  return { documents, queries };
};

const dot = (a: number[], b: number[]) => a.reduce((sum, v, i) => sum + v * b[i]!, 0);

export interface QualityReport {
  ndcg10: number;
  recall10: number;
  mrr10: number;
  chunks: number;
  byKind: Record<string, { ndcg10: number; n: number }>;
}

export const evaluateEmbedder = async (
  model: EmbeddingModel,
  chunking: ChunkingSettings = DEFAULT_CHUNKING,
): Promise<QualityReport> => {
  const { documents, queries } = loadFixtures();
  const chunks = documents.flatMap((doc) => chunkDocument(doc.blocks, chunking).map((chunk) => ({ doc: doc.name, chunk })));
  const vectors = await model.embed(chunks.map(({ chunk }) => embeddingTextFor(chunk)));
  const queryVectors = await model.embed(queries.map((q) => q.query));

  const scores = queries.map((q, qi) => {
    const best = new Map<string, number>();
    chunks.forEach(({ doc }, ci) => {
      const score = dot(queryVectors[qi]!, vectors[ci]!);
      best.set(doc, Math.max(best.get(doc) ?? -Infinity, score));
    });
    const ranked = [...best].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([doc]) => doc);
    return {
      kind: q.kind,
      ndcg: ndcgAt(10, ranked, q.relevant),
      recall: recallAt(10, ranked, q.relevant),
      rr: reciprocalRankAt(10, ranked, q.relevant),
    };
  });
  const byKind: QualityReport['byKind'] = {};
  for (const kind of new Set(scores.map((s) => s.kind))) {
    const of = scores.filter((s) => s.kind === kind);
    byKind[kind] = { ndcg10: mean(of.map((s) => s.ndcg)), n: of.length };
  }
  return {
    ndcg10: mean(scores.map((s) => s.ndcg)),
    recall10: mean(scores.map((s) => s.recall)),
    mrr10: mean(scores.map((s) => s.rr)),
    chunks: chunks.length,
    byKind,
  };
};
