import { z } from 'zod';
import { DEFAULT_ROOT_HISTORY } from './apply-leaf-changes';
import { DEFAULT_PATH_CACHE_MB } from './path-cache';

/**
 * Settings of the trees feature, to be spread into registryConfigSchema (like
 * rootPublisherSettings), so they are validated at boot with the rest of the environment.
 */
export const treesSettings = {
  /** Paths and leaves stay servable at the newest N roots (seqs) of each tree; older history is pruned. */
  REGISTRY_ROOT_HISTORY: z.coerce
    .number()
    .int()
    .min(1)
    .default(DEFAULT_ROOT_HISTORY)
    .describe('a positive integer: roots per tree whose paths stay servable (≥ the chain ring of 64)'),
  /**
   * Memory for served paths (verified and serialized once per (track, seq, leaf index), reused
   * while that seq is current); least recently used paths are dropped beyond it. 0 disables it.
   */
  REGISTRY_PATH_CACHE_MB: z.coerce
    .number()
    .int()
    .min(0)
    .default(DEFAULT_PATH_CACHE_MB)
    .describe('a non-negative integer: MiB of verified, serialized paths kept in memory (0 = off)'),
};
export type TreesSettings = z.infer<z.ZodObject<typeof treesSettings>>;
