import { Initial1764420000000 } from './1764420000000-initial';
import { RegistryLeafSeq1764430000000 } from './1764430000000-registry-leaf-seq';
import { IndexerPipeline1764440000000 } from './1764440000000-indexer-pipeline';
import { IndexerIngestMints1764440001000 } from './1764440001000-indexer-ingest-mints';
import { IndexerIngestAccounts1764440002000 } from './1764440002000-indexer-ingest-accounts';
import { GatewayApiKeys1764600000000 } from './1764600000000-gateway-api-keys';
import { GatewayVerificationRequests1764600001000 } from './1764600001000-gateway-verification-requests';
import { RegistryNodeHistory1764700000000 } from './1764700000000-registry-node-history';

/**
 * Every migration, in timestamp order (TypeORM applies them in this order). Add new ones at the
 * end with a newer timestamp; never edit an applied one.
 */
export const migrations = [
  Initial1764420000000,
  RegistryLeafSeq1764430000000,
  IndexerPipeline1764440000000,
  IndexerIngestMints1764440001000,
  IndexerIngestAccounts1764440002000,
  GatewayApiKeys1764600000000,
  GatewayVerificationRequests1764600001000,
  RegistryNodeHistory1764700000000,
];
