package dev.strongroom.devstack.keys;

import dev.strongroom.contracts.encoding.Base64Url;
import dev.strongroom.contracts.keys.KeyRegistry;
import dev.strongroom.contracts.keys.RegisteredKey;
import dev.strongroom.contracts.keys.SigningKey;
import dev.strongroom.contracts.records.SealingKey;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.token.TenantTokenKeyFile;
import dev.strongroom.contracts.token.TenantTokenKeys;
import dev.strongroom.contracts.token.TenantTokens;
import dev.strongroom.crypto.SecretKeyAccess;
import dev.strongroom.crypto.kms.InsecureLocalKeyring;
import dev.strongroom.crypto.kms.XWingKeyWrapper;
import dev.strongroom.provisioner.os.SecureFiles;
import dev.strongroom.provisioner.pki.PkiDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Generates the event-signing keys of a local stack: one PKCS#8 PEM per identity ({@code
 * <name>.key.pem}, mode 0600) and the key registry ({@code registry.json}) that binds each public
 * key to its source and the types it may emit (DESIGN §3's table), and an application's key also to
 * the TLS client certificate of the PKI identity of the same name ({@code certThumbprints}: the
 * crypto-service accepts in its encrypt requests only tokens bound to that certificate,
 * docs/tenant-tokens.md). Development only: production keys come from the ops plane.
 */
public final class DevKeys {
  /**
   * An event-emitting identity; one whose source is under {@value #APPLICATION_SOURCE_PREFIX} is an
   * application, and its key is bound to its certificate.
   */
  public record Identity(String name, String source, List<String> types) {
    /** Whether this is an application (its key is bound to its TLS client certificate). */
    public boolean application() {
      return source.startsWith(APPLICATION_SOURCE_PREFIX);
    }
  }

  /** The CloudEvents source prefix of applications (DESIGN §3: {@code /apps/<app>}). */
  public static final String APPLICATION_SOURCE_PREFIX = "/apps/";

  private static final String ALERT = EventCatalog.SECURITY_ALERT.type();

  /** The identity whose key signs waiver files ({@code <name>.key.pem}). */
  public static final String WAIVER_APPROVER = "waiver-approver";

  /** The key registry's source of waiver approvers' keys. */
  public static final String WAIVER_APPROVER_SOURCE = "/strongroom/waiver-approver";

  /** Who may emit what, from DESIGN §3's topic table. */
  public static final List<Identity> STANDARD =
      List.of(
          // store.completed.v1: the REJECTED answer to an encrypt request it refused (readers
          // believe only REJECTED from it, StoreResult.mayComeFrom; docs/decisions.md)
          new Identity(
              "crypto-service",
              "/strongroom/crypto-service",
              List.of(
                  "dev.strongroom.store.requested.v1", "dev.strongroom.store.completed.v1", ALERT)),
          new Identity(
              "data-service",
              "/strongroom/data-service",
              List.of("dev.strongroom.store.completed.v1", ALERT)),
          new Identity(
              "audit-anchor-service",
              "/strongroom/audit-anchor-service",
              List.of("dev.strongroom.audit.anchored.v1", ALERT)),
          new Identity(
              "provisioner-service",
              "/strongroom/provisioner-service",
              List.of(
                  "dev.strongroom.provision.progressed.v1",
                  "dev.strongroom.provision.completed.v1",
                  ALERT)),
          new Identity(
              "proof-service",
              "/strongroom/proof-service",
              List.of("dev.strongroom.proof.completed.v1", ALERT)),
          new Identity(
              "operator",
              "/strongroom/devstack",
              List.of(
                  "dev.strongroom.provision.requested.v1",
                  "dev.strongroom.proof.requested.v1",
                  ALERT)),
          new Identity(
              "demo-app",
              "/apps/demo",
              List.of("dev.strongroom.encrypt.requested.v1", "dev.strongroom.store.requested.v1")),
          // Signs waiver files (sign-waivers); prove trusts it to accept a failing control for a
          // while. It may emit no event: neither the operator who runs proofs nor the
          // proof-service that measures may waive (docs/proof.md).
          new Identity(WAIVER_APPROVER, WAIVER_APPROVER_SOURCE, List.of()));

  /**
   * File name of the tenant authority's key file ({@link TenantTokenKeys} file form: the keys, the
   * issuing one, the audience; 0600). {@code rotate-token-key} replaces it atomically; the
   * crypto-service and the proof-service re-read it when it changes.
   */
  public static final String TENANT_TOKEN_KEY = "tenant-token.key";

  /** File name of the crypto-service's HPKE (X25519) key. */
  public static final String SEALING_KEY = "crypto-sealing.key.pem";

  /**
   * File name of the backup signing key (Ed25519, PKCS#8 PEM, 0600): made by the first {@code
   * backup} or {@code up}, kept across {@code up}s; the command and the audit-anchor-service's
   * schedule sign with it, restores trust its public half.
   */
  public static final String BACKUP_SIGNING_KEY = "backup-signing.key.pem";

  /** File name of the development KEK keyring (InsecureLocalKeyring). */
  public static final String DEV_KEYRING = "dev-kek.keyring";

  /** File name of the X-Wing recovery public key (base64url). */
  public static final String PQ_RECOVERY_PUBLIC = "pq-recovery.pub";

  /** File name of the X-Wing recovery private seed (base64url, 0600). */
  public static final String PQ_RECOVERY_SEED = "pq-recovery.seed";

  /** Logical name of the development KEK. */
  public static final String DEV_KEK_NAME = "strongroom-dev-kek";

  private final Path dir;

  private DevKeys(Path dir) {
    this.dir = dir;
  }

  /**
   * Generates fresh keys for {@code identities} in {@code dir}, valid from now for {@code
   * validity}, with no PKI: an application's key is bound to no certificate, so no encrypt request
   * it signs is accepted (for stacks that run no crypto-service).
   */
  public static DevKeys generate(Path dir, List<Identity> identities, Duration validity)
      throws IOException {
    return generate(dir, identities, validity, Map.of());
  }

  /**
   * Generates fresh keys for {@code identities} in {@code dir}, valid from now for {@code
   * validity}: a new stack (tests, the demo's own state directory). Each application's key is bound
   * to the certificate of {@code pki}'s identity of the same name.
   */
  public static DevKeys generate(
      Path dir, List<Identity> identities, Duration validity, PkiDirectory pki) throws IOException {
    return generate(dir, identities, validity, certThumbprints(identities, pki));
  }

  private static DevKeys generate(
      Path dir, List<Identity> identities, Duration validity, Map<String, String> thumbprints)
      throws IOException {
    Files.createDirectories(dir);
    writeSigningKeys(dir, identities, validity, thumbprints);
    writeTokenKeys(dir);
    writeSealingKey(dir);
    Files.deleteIfExists(dir.resolve(DEV_KEYRING));
    writeKeyring(dir);
    writePqKeys(dir);
    return new DevKeys(dir);
  }

  /**
   * The keys of a stack that may have run before ({@code up} after {@code down}): every key that
   * protects stored data or history is kept — the KEK keyring (the records' data keys are wrapped
   * by it), the tenant authority's keys (with any rotation in progress), the post-quantum recovery
   * key and the HPKE key — and only what is missing is made. The event-signing keys are kept while
   * every one of {@code identities} has its key in the registry, valid for at least another day
   * (and an application's bound to its certificate in {@code pki} now, which {@code up} may just
   * have renewed); otherwise all are made anew for {@code validity} (events still on a topic,
   * signed by an old key, are then dead-lettered as unknown keys, never silently accepted).
   * Regenerating the keyring here made every stored record unreadable after {@code down} and {@code
   * up} ({@code INTEGRITY: invalid ciphertext}).
   */
  public static DevKeys openOrGenerate(
      Path dir, List<Identity> identities, Duration validity, PkiDirectory pki) throws IOException {
    Files.createDirectories(dir);
    Map<String, String> thumbprints = certThumbprints(identities, pki);
    if (!signingKeysUsable(dir, identities, thumbprints)) {
      writeSigningKeys(dir, identities, validity, thumbprints);
    }
    if (!Files.exists(dir.resolve(TENANT_TOKEN_KEY))) {
      writeTokenKeys(dir);
    }
    if (!Files.exists(dir.resolve(SEALING_KEY))) {
      writeSealingKey(dir);
    }
    if (!Files.exists(dir.resolve(DEV_KEYRING))) {
      writeKeyring(dir);
    }
    if (!Files.exists(dir.resolve(PQ_RECOVERY_PUBLIC))
        || !Files.exists(dir.resolve(PQ_RECOVERY_SEED))) {
      writePqKeys(dir);
    }
    return new DevKeys(dir);
  }

  /**
   * The {@code x5t#S256} of the current certificate of each application among {@code identities}.
   */
  private static Map<String, String> certThumbprints(List<Identity> identities, PkiDirectory pki) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (Identity id : identities) {
      if (id.application()) {
        out.put(id.name(), TenantTokens.thumbprint(pki.identity(id.name()).certificate()));
      }
    }
    return out;
  }

  /**
   * Every identity has a key file whose public key the registry lists, valid for a day more, and
   * bound to exactly the certificate it should be (a renewed certificate makes all keys anew).
   */
  private static boolean signingKeysUsable(
      Path dir, List<Identity> identities, Map<String, String> thumbprints) {
    Path registry = dir.resolve("registry.json");
    if (!Files.isRegularFile(registry)) {
      return false;
    }
    try {
      KeyRegistry r = KeyRegistry.load(registry);
      Instant horizon = Instant.now().plus(Duration.ofDays(1));
      for (Identity id : identities) {
        Path file = dir.resolve(id.name() + ".key.pem");
        if (!Files.isRegularFile(file)) {
          return false;
        }
        SigningKey key = SigningKey.load(file);
        Optional<RegisteredKey> entry = r.find(key.kid());
        if (entry.isEmpty()
            || !entry.get().source().equals(id.source())
            || !entry.get().types().equals(id.types())
            || !entry.get().certThumbprints().equals(bindingOf(id, thumbprints))
            || entry.get().notAfter().isBefore(horizon)) {
          return false;
        }
      }
      return true;
    } catch (RuntimeException e) {
      return false; // unreadable: made anew
    }
  }

  /** The certificates {@code id}'s key is bound to: its own for an application, else none. */
  private static List<String> bindingOf(Identity id, Map<String, String> thumbprints) {
    String t = thumbprints.get(id.name());
    return id.application() && t != null ? List.of(t) : List.of();
  }

  private static void writeSigningKeys(
      Path dir, List<Identity> identities, Duration validity, Map<String, String> thumbprints)
      throws IOException {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    List<RegisteredKey> entries = new ArrayList<>();
    for (Identity id : identities) {
      SigningKey key = SigningKey.generate();
      Path file = dir.resolve(id.name() + ".key.pem");
      SecureFiles.writeText(file, key.toPem(), SecureFiles.SECRET);
      // valid from ten minutes ago, so an event signed now is inside validity even on a slightly
      // skewed clock
      entries.add(
          new RegisteredKey(
              key.kid(),
              key.publicKey(),
              id.source(),
              id.types(),
              now.minus(Duration.ofMinutes(10)),
              now.plus(validity),
              bindingOf(id, thumbprints)));
    }
    KeyRegistry.of(entries).write(dir.resolve("registry.json"));
  }

  /**
   * The devstack's tenant authority: the HMAC keys of tenant tokens and their audience
   * (docs/tenant-tokens.md), one issuing key to begin with.
   */
  private static void writeTokenKeys(Path dir) {
    Path tokenKey = dir.resolve(TENANT_TOKEN_KEY);
    SecureFiles.writeText(tokenKey, TenantTokenKeys.generate().toJson() + "\n", SecureFiles.SECRET);
  }

  /** The crypto-service's HPKE key (encrypt requests are sealed to it). */
  private static void writeSealingKey(Path dir) {
    Path sealing = dir.resolve(SEALING_KEY);
    SecureFiles.writeText(sealing, SealingKey.generate().toPem(), SecureFiles.SECRET);
  }

  /** The development KEK keyring, version 1. */
  private static void writeKeyring(Path dir) throws IOException {
    InsecureLocalKeyring.addVersion(
        dir.resolve(DEV_KEYRING), "1", new java.security.SecureRandom());
  }

  /**
   * The post-quantum recovery key: the public half configures the crypto-service; the private seed
   * would be kept offline in production (here it lets tests prove the PQ wrap recovers the data
   * key).
   */
  private static void writePqKeys(Path dir) {
    XWingKeyWrapper.KeyPair pq = XWingKeyWrapper.generateKeyPair(new java.security.SecureRandom());
    SecureFiles.writeText(
        dir.resolve(PQ_RECOVERY_PUBLIC),
        Base64Url.encode(pq.publicKey()) + "\n",
        SecureFiles.PUBLIC);
    Path seed = dir.resolve(PQ_RECOVERY_SEED);
    SecureFiles.writeText(
        seed,
        Base64Url.encode(pq.privateKey(SecretKeyAccess.insecure())) + "\n",
        SecureFiles.SECRET);
  }

  /** Opens keys generated earlier. */
  public static DevKeys open(Path dir) {
    return new DevKeys(dir);
  }

  public Path registryFile() {
    return dir.resolve("registry.json");
  }

  public Path keyFile(String identity) {
    return dir.resolve(identity + ".key.pem");
  }

  public SigningKey key(String identity) {
    return SigningKey.load(keyFile(identity));
  }

  /**
   * The devstack tenant authority (issues with the issuing key and verifies with every valid one;
   * follows the key file as it changes).
   */
  public TenantTokens tenantTokens(java.time.Clock clock) {
    return new TenantTokens(TenantTokenKeyFile.open(tenantTokenKeyFile()), clock);
  }

  /** The tenant authority's key file (0600). */
  public Path tenantTokenKeyFile() {
    return dir.resolve(TENANT_TOKEN_KEY);
  }

  /** The tenant authority's keys now (the database's token verifier gets them too). */
  public TenantTokenKeys tenantTokenKeys() {
    try {
      return TenantTokenKeys.parse(Files.readString(dir.resolve(TENANT_TOKEN_KEY)));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("no tenant-token key in " + dir, e);
    }
  }

  /** Replaces the key file (atomically, 0600). */
  public void writeTenantTokenKeys(TenantTokenKeys keys) {
    SecureFiles.writeText(tenantTokenKeyFile(), keys.toJson() + "\n", SecureFiles.SECRET);
  }

  /** The tenant authority's issuing key, raw 32 bytes. */
  public byte[] tenantTokenKey() {
    return tenantTokenKeys().issuing().secret();
  }

  /** The X-Wing recovery private seed (raw 32 bytes). */
  public byte[] pqRecoverySeed() {
    try {
      return Base64Url.decode(Files.readString(dir.resolve(PQ_RECOVERY_SEED)).trim());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The crypto-service's HPKE key. */
  public SealingKey sealingKey() {
    return SealingKey.load(dir.resolve(SEALING_KEY));
  }

  /**
   * The crypto-service settings that point it at these keys (development KEK in a local keyring).
   */
  public Map<String, String> cryptoServiceConfig() {
    return cryptoServiceConfig(Duration.ZERO);
  }

  /**
   * As {@link #cryptoServiceConfig()}, with a wait before every KMS call so the development keyring
   * costs what a KMS across a network does.
   */
  public Map<String, String> cryptoServiceConfig(Duration kmsAddedLatency) {
    return Map.of(
        "strongroom.crypto.kms.added-latency", kmsAddedLatency.toString(),
        "strongroom.crypto.sealing-key", dir.resolve(SEALING_KEY).toString(),
        "strongroom.crypto.tenant-token-key", dir.resolve(TENANT_TOKEN_KEY).toString(),
        "strongroom.crypto.kms.kind", "INSECURE_LOCAL_KEYRING",
        "strongroom.crypto.kms.key-name", DEV_KEK_NAME,
        "strongroom.crypto.kms.keyring-file", dir.resolve(DEV_KEYRING).toString(),
        "strongroom.crypto.pq.recipient-public-key", dir.resolve(PQ_RECOVERY_PUBLIC).toString());
  }

  public KeyRegistry registry() {
    return KeyRegistry.load(registryFile());
  }

  public Identity identity(String name) {
    return STANDARD.stream()
        .filter(i -> i.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown identity " + name));
  }
}
