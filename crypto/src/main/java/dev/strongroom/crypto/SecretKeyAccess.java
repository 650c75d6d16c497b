package dev.strongroom.crypto;

/**
 * A token that must be passed to reach secret key bytes (the idea of Tink's {@code
 * InsecureSecretKeyAccess}): every place that touches raw key material is then easy to find with a
 * search for {@code SecretKeyAccess.insecure()}.
 */
public final class SecretKeyAccess {
  private static final SecretKeyAccess INSTANCE = new SecretKeyAccess();

  private SecretKeyAccess() {}

  /** Grants access to raw key bytes. Call it only where raw bytes are unavoidable. */
  public static SecretKeyAccess insecure() {
    return INSTANCE;
  }

  /** Throws unless {@code access} is the token from {@link #insecure()}. */
  public static void check(SecretKeyAccess access) {
    if (access != INSTANCE) {
      throw new IllegalArgumentException("secret key access token required");
    }
  }
}
