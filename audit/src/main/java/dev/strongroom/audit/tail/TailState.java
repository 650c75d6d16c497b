package dev.strongroom.audit.tail;

import dev.strongroom.audit.chain.ChainHash;

/**
 * How far the tail has verified: rows {@code 1..verifiedSeq} verified, the last one's {@code
 * curr_hash} is {@code headHash} (the genesis hash when nothing is verified yet).
 */
public record TailState(long verifiedSeq, String headHash) {
  public static final TailState GENESIS = new TailState(0, ChainHash.GENESIS);

  public TailState {
    if (verifiedSeq < 0 || !ChainHash.isHash(headHash)) {
      throw new IllegalArgumentException("bad tail state " + verifiedSeq + " " + headHash);
    }
    if (verifiedSeq == 0 && !ChainHash.GENESIS.equals(headHash)) {
      throw new IllegalArgumentException("the head of an empty chain is the genesis hash");
    }
  }
}
