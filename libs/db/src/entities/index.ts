import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

// TypeORM entities for the tables of the initial migration. BIGINT columns are read as strings
// by pg; these entities expose them as strings to stay exact (convert with BigInt()).

@Entity('tracks')
export class TrackEntity {
  @PrimaryColumn({ name: 'track_id', type: 'bigint' }) trackId!: string;
  @Column({ type: 'bytea' }) mint!: Buffer;
  @Column({ type: 'smallint' }) depth!: number;
  @Column({ type: 'bigint' }) slot!: string;
  @Column({ type: 'text', nullable: true }) signature!: string | null;
  @Column({ name: 'registered_at', type: 'timestamptz' }) registeredAt!: Date;
}

@Entity('merkle_trees')
export class MerkleTreeEntity {
  @PrimaryColumn({ name: 'track_id', type: 'bigint' }) trackId!: string;
  @Column({ type: 'smallint' }) depth!: number;
  @Column({ name: 'next_index', type: 'bigint' }) nextIndex!: string;
  @Column({ name: 'leaf_count', type: 'bigint' }) leafCount!: string;
  @Column({ type: 'bigint' }) seq!: string;
  @Column({ type: 'bytea' }) root!: Buffer;
  @Column({ type: 'bigint' }) slot!: string;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

@Entity('merkle_leaves')
export class MerkleLeafEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'wallet_hash', type: 'bytea' }) walletHash!: Buffer;
  @Column({ name: 'token_id', type: 'bytea' }) tokenId!: Buffer;
  @Column({ name: 'track_id', type: 'bigint' }) trackId!: string;
  @Column({ name: 'leaf_hash', type: 'bytea' }) leafHash!: Buffer;
  @Column({ type: 'bigint' }) index!: string;
  @Column({ name: 'created_at', type: 'timestamp', nullable: true }) createdAt!: Date | null;
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true }) revokedAt!: Date | null;
}

@Entity('merkle_nodes')
export class MerkleNodeEntity {
  @PrimaryColumn({ name: 'track_id', type: 'bigint' }) trackId!: string;
  @PrimaryColumn({ type: 'smallint' }) level!: number;
  @PrimaryColumn({ type: 'bigint' }) index!: string;
  @Column({ type: 'bytea' }) hash!: Buffer;
  @Column({ type: 'bigint' }) seq!: string;
}

@Entity('merkle_roots')
export class MerkleRootEntity {
  @PrimaryColumn({ name: 'track_id', type: 'bigint' }) trackId!: string;
  @PrimaryColumn({ type: 'bigint' }) seq!: string;
  @Column({ type: 'bytea' }) root!: Buffer;
  @Column({ name: 'leaf_count', type: 'bigint' }) leafCount!: string;
  @Column({ type: 'bigint' }) slot!: string;
  @Column({ type: 'boolean' }) accepted!: boolean;
  @Column({ name: 'accepted_slot', type: 'bigint', nullable: true }) acceptedSlot!: string | null;
  @Column({ name: 'accepted_signature', type: 'text', nullable: true }) acceptedSignature!: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

@Entity('identities')
export class IdentityEntity {
  @PrimaryColumn({ type: 'bytea' }) wallet!: Buffer;
  @Column({ type: 'bytea' }) commitment!: Buffer;
  @Column({ type: 'bigint' }) slot!: string;
  @Column({ type: 'text' }) signature!: string;
  @Column({ name: 'registered_at', type: 'timestamptz' }) registeredAt!: Date;
}

@Entity('holdings')
export class HoldingEntity {
  @PrimaryColumn({ name: 'token_account', type: 'bytea' }) tokenAccount!: Buffer;
  @Column({ type: 'bytea' }) wallet!: Buffer;
  @Column({ type: 'bytea' }) mint!: Buffer;
  @Column({ type: 'numeric', precision: 20, scale: 0 }) amount!: string;
  @Column({ type: 'bigint' }) slot!: string;
  @Column({ name: 'write_version', type: 'bigint' }) writeVersion!: string;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

@Entity('nullifiers')
export class NullifierEntity {
  @PrimaryColumn({ type: 'bytea' }) hash!: Buffer;
  @Column({ name: 'track_id', type: 'bigint' }) trackId!: string;
  @Column({ name: 'used_at', type: 'timestamp' }) usedAt!: Date;
  @Column({ name: 'tx_signature', type: 'text', nullable: true }) txSignature!: string | null;
  @Column({ type: 'bytea', nullable: true }) scope!: Buffer | null;
  @Column({ type: 'bigint', nullable: true }) slot!: string | null;
}

/** Privacy-preserving analytics: no wallet address, ever. */
@Entity('verifications')
export class VerificationEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'track_id', type: 'bigint' }) trackId!: string;
  @Column({ type: 'timestamp' }) timestamp!: Date;
  @Column({ type: 'bytea' }) scope!: Buffer;
  @Column({ type: 'bytea' }) nullifier!: Buffer;
  @Column({ type: 'bigint' }) slot!: string;
  @Column({ type: 'text' }) signature!: string;
}

@Entity('consumer_offsets')
export class ConsumerOffsetEntity {
  @PrimaryColumn({ name: 'consumer_group', type: 'text' }) consumerGroup!: string;
  @PrimaryColumn({ type: 'text' }) topic!: string;
  @PrimaryColumn({ type: 'integer' }) partition!: number;
  @Column({ name: 'next_offset', type: 'bigint' }) nextOffset!: string;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

export const entities = [
  TrackEntity,
  MerkleTreeEntity,
  MerkleLeafEntity,
  MerkleNodeEntity,
  MerkleRootEntity,
  IdentityEntity,
  HoldingEntity,
  NullifierEntity,
  VerificationEntity,
  ConsumerOffsetEntity,
];
