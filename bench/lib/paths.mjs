// Where things live. Everything is resolved from the repository root, so the harness runs from any cwd.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = resolve(benchDir, '..');
export const resultsDir = join(benchDir, 'results');
export const workloadsDir = join(benchDir, 'workloads');
export const adaptersDir = join(benchDir, 'adapters');
/** The rivals' harness: ../shared/bench-peers beside the repository (override with BENCH_PEERS_DIR). */
export const sharedPeersDir = resolve(process.env.BENCH_PEERS_DIR ?? join(repoRoot, '..', 'shared', 'bench-peers'));
