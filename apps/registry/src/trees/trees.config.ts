import { z } from 'zod';
import { DEFAULT_ROOT_HISTORY } from './apply-leaf-changes';

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
};
export type TreesSettings = z.infer<z.ZodObject<typeof treesSettings>>;
