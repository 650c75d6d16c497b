package dev.strongroom.provisioner.pki;

import org.bouncycastle.asn1.x509.CRLReason;

/** The RFC 5280 §5.3.1 reason written into a CRL entry. */
public enum RevocationReason {
  /** The private key is (or may be) known to someone else. */
  KEY_COMPROMISE(CRLReason.keyCompromise),
  /** Replaced by a newer certificate (rotation). */
  SUPERSEDED(CRLReason.superseded),
  /** The identity no longer exists. */
  CESSATION_OF_OPERATION(CRLReason.cessationOfOperation);

  private final int code;

  RevocationReason(int code) {
    this.code = code;
  }

  /** The numeric {@code CRLReason} code. */
  public int code() {
    return code;
  }
}
