/**
 * Retrieval quality on the shared public datasets only (../shared/data); see
 * lib/dataset-quality.ts. `retrieval-quality.ts` runs the same after its fixtures.
 * Knobs: BENCH_DATASETS (comma list), BENCH_TARGETS (pglite | postgres), BENCH_SPLITS,
 * BENCH_FUSION=1 (fusion variants), BENCH_DATA_DIR.
 */
import { runDatasetBenchmark } from './lib/dataset-quality.js';

await runDatasetBenchmark();
