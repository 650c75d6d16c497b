package dev.strongroom.crypto.gcpkms;

import com.google.cloud.kms.v1.CreateCryptoKeyRequest;
import com.google.cloud.kms.v1.CreateCryptoKeyVersionRequest;
import com.google.cloud.kms.v1.CreateKeyRingRequest;
import com.google.cloud.kms.v1.CryptoKey;
import com.google.cloud.kms.v1.CryptoKeyVersion;
import com.google.cloud.kms.v1.CryptoKeyVersion.CryptoKeyVersionAlgorithm;
import com.google.cloud.kms.v1.CryptoKeyVersionTemplate;
import com.google.cloud.kms.v1.DecryptRequest;
import com.google.cloud.kms.v1.DecryptResponse;
import com.google.cloud.kms.v1.EncryptRequest;
import com.google.cloud.kms.v1.EncryptResponse;
import com.google.cloud.kms.v1.GetCryptoKeyRequest;
import com.google.cloud.kms.v1.GetKeyRingRequest;
import com.google.cloud.kms.v1.KeyRing;
import com.google.cloud.kms.v1.ProtectionLevel;
import com.google.cloud.kms.v1.UpdateCryptoKeyPrimaryVersionRequest;
import com.google.cloud.kms.v1.UpdateCryptoKeyRequest;
import com.google.iam.v1.Binding;
import com.google.iam.v1.GetIamPolicyRequest;
import com.google.iam.v1.Policy;
import com.google.iam.v1.SetIamPolicyRequest;
import com.google.protobuf.ByteString;
import com.google.protobuf.Int64Value;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * <b>A fake</b> of the Cloud KMS {@code KeyManagementService} for tests and the devstack: a real
 * gRPC server (HTTP/2, plaintext, loopback, free port) implementing the subset Strongroom uses —
 * key administration (CreateKeyRing, GetKeyRing, CreateCryptoKey, GetCryptoKey, UpdateCryptoKey for
 * the rotation schedule and labels, CreateCryptoKeyVersion, UpdateCryptoKeyPrimaryVersion), {@code
 * google.iam.v1.IAMPolicy} GetIamPolicy/SetIamPolicy on key rings and keys (etag-checked), and
 * Encrypt/Decrypt with Cloud KMS's checksum semantics (request CRC32Cs verified, response CRC32Cs
 * set). Requests are validated as Cloud KMS does where Strongroom relies on it (ids, a symmetric
 * purpose, an immutable protection level, a rotation period of at least a day that comes with a
 * next rotation time). Keys live in memory (AES-256-GCM per version). It is not a security
 * boundary; production uses Cloud KMS.
 *
 * <p>{@link #inject(Fault)} makes it misbehave the ways the integrity checks must catch; {@link
 * #calls()} logs every RPC by method name, so tests can prove what a dry run did not call.
 */
// close() waits for the serving thread and may be interrupted; callers handle that.
@SuppressWarnings("try")
public final class FakeCloudKmsServer implements AutoCloseable {
  /** Ways to misbehave. */
  public enum Fault {
    NONE,
    /** Encrypt answers with a version of another key. */
    WRONG_KEY_NAME,
    /** Encrypt's ciphertext_crc32c does not match the ciphertext (response corrupted). */
    CORRUPT_CIPHERTEXT_CRC,
    /** Encrypt says it did not verify the plaintext checksum (request corrupted in transit). */
    UNVERIFIED_PLAINTEXT_CRC,
    /** Decrypt's plaintext_crc32c does not match the plaintext (response corrupted). */
    CORRUPT_PLAINTEXT_CRC
  }

  /** The RPCs that change state. */
  public static final Set<String> MUTATING_METHODS =
      Set.of(
          "CreateKeyRing",
          "CreateCryptoKey",
          "UpdateCryptoKey",
          "CreateCryptoKeyVersion",
          "UpdateCryptoKeyPrimaryVersion",
          "SetIamPolicy");

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ID = "[a-zA-Z0-9_-]{1,63}";
  private static final long MIN_ROTATION_SECONDS = 86_400;
  private static final long MAX_ROTATION_SECONDS = 876_000L * 3600;

  private final Map<String, KeyRing> rings = new ConcurrentHashMap<>();
  private final Map<String, KeyState> keys = new ConcurrentHashMap<>();
  private final AtomicInteger encryptCalls = new AtomicInteger();
  private final AtomicInteger decryptCalls = new AtomicInteger();
  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final Map<String, Policy> policies = new ConcurrentHashMap<>();
  private final AtomicLong policyEtag = new AtomicLong();
  private volatile Fault fault = Fault.NONE;
  private volatile boolean once;
  private final Service service;
  private final int port;
  private volatile Server server;

  private static final class KeyState {
    final String name;
    final List<byte[]> versions = new ArrayList<>(); // version n at index n-1
    volatile int primary;
    final Timestamp created = now();
    // The key's settings: purpose, version template, rotation schedule, labels (no name, no
    // primary; those come from the fields above). Guarded by this.
    CryptoKey settings;

    KeyState(String name, CryptoKey settings) {
      this.name = name;
      this.settings = settings;
    }
  }

  private static Timestamp now() {
    Instant t = Instant.now();
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }

  private static CryptoKey hsmSymmetric() {
    return CryptoKey.newBuilder()
        .setPurpose(CryptoKey.CryptoKeyPurpose.ENCRYPT_DECRYPT)
        .setVersionTemplate(
            CryptoKeyVersionTemplate.newBuilder()
                .setProtectionLevel(ProtectionLevel.HSM)
                .setAlgorithm(CryptoKeyVersionAlgorithm.GOOGLE_SYMMETRIC_ENCRYPTION))
        .build();
  }

  private FakeCloudKmsServer(int port) throws IOException {
    this.service = new Service();
    this.server = listen(port);
    this.port = server.getPort();
  }

  private Server listen(int port) throws IOException {
    return NettyServerBuilder.forAddress(
            new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port))
        .addService(service.definition())
        .addService(service.iamDefinition())
        .build()
        .start();
  }

  /**
   * Takes the KMS down: the server stops listening and drops its connections, so every call fails
   * as against an unreachable KMS (gRPC {@code UNAVAILABLE}). The keys are kept for {@link
   * #resume()}.
   */
  public void stop() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(10, TimeUnit.SECONDS);
  }

  /** Brings the KMS back on the same port with the same keys after {@link #stop()}. */
  public void resume() throws IOException {
    if (!server.isTerminated()) {
      throw new IllegalStateException("the fake KMS is running");
    }
    server = listen(port);
  }

  /** Starts on a free loopback port. */
  public static FakeCloudKmsServer start() throws IOException {
    return new FakeCloudKmsServer(0);
  }

  /** {@code 127.0.0.1:port}. */
  public String endpoint() {
    return "127.0.0.1:" + port;
  }

  /** Misbehave this way from now on. */
  public void inject(Fault f) {
    this.fault = f;
    this.once = false;
  }

  /** Misbehave this way for the next call only (transient corruption). */
  public void injectOnce(Fault f) {
    this.fault = f;
    this.once = true;
  }

  private Fault takeFault() {
    Fault f = fault;
    if (once) {
      fault = Fault.NONE;
      once = false;
    }
    return f;
  }

  public int encryptCalls() {
    return encryptCalls.get();
  }

  public int decryptCalls() {
    return decryptCalls.get();
  }

  /** Every RPC received so far, by method name ({@code GetCryptoKey}, {@code SetIamPolicy}, …). */
  public List<String> calls() {
    return List.copyOf(calls);
  }

  /** The RPCs received so far that change state ({@link #MUTATING_METHODS}). */
  public List<String> mutatingCalls() {
    return calls.stream().filter(MUTATING_METHODS::contains).toList();
  }

  /** Forgets the RPC log. */
  public void clearCalls() {
    calls.clear();
  }

  /**
   * Convenience for tests and the devstack: creates ring and key (HSM, symmetric, no rotation
   * schedule) if absent; returns the key name.
   */
  public String createKey(String project, String location, String ring, String key) {
    String ringName = "projects/" + project + "/locations/" + location + "/keyRings/" + ring;
    rings.putIfAbsent(ringName, KeyRing.newBuilder().setName(ringName).build());
    String keyName = ringName + "/cryptoKeys/" + key;
    keys.computeIfAbsent(
        keyName,
        n -> {
          KeyState s = new KeyState(n, hsmSymmetric());
          addVersion(s);
          return s;
        });
    return keyName;
  }

  private static int addVersion(KeyState s) {
    synchronized (s) {
      byte[] k = new byte[32];
      RANDOM.nextBytes(k);
      s.versions.add(k);
      s.primary = s.versions.size();
      return s.primary;
    }
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(10, TimeUnit.SECONDS);
  }

  /**
   * The KMS methods bound by hand: the generated server stubs ({@code grpc-google-cloud-kms-v1})
   * are not served by this machine's Maven mirror, so the service definition is built from gRPC's
   * public API with the message classes of {@code proto-google-cloud-kms-v1} — the same names and
   * wire format.
   */
  private final class Service {
    private static final String SERVICE = "google.cloud.kms.v1.KeyManagementService";
    private static final String IAM_SERVICE = "google.iam.v1.IAMPolicy";

    ServerServiceDefinition definition() {
      return ServerServiceDefinition.builder(SERVICE)
          .addMethod(
              unary(
                  SERVICE,
                  "CreateKeyRing",
                  CreateKeyRingRequest.getDefaultInstance(),
                  KeyRing.getDefaultInstance(),
                  this::createKeyRing))
          .addMethod(
              unary(
                  SERVICE,
                  "GetKeyRing",
                  GetKeyRingRequest.getDefaultInstance(),
                  KeyRing.getDefaultInstance(),
                  this::getKeyRing))
          .addMethod(
              unary(
                  SERVICE,
                  "CreateCryptoKey",
                  CreateCryptoKeyRequest.getDefaultInstance(),
                  CryptoKey.getDefaultInstance(),
                  this::createCryptoKey))
          .addMethod(
              unary(
                  SERVICE,
                  "GetCryptoKey",
                  GetCryptoKeyRequest.getDefaultInstance(),
                  CryptoKey.getDefaultInstance(),
                  this::getCryptoKey))
          .addMethod(
              unary(
                  SERVICE,
                  "UpdateCryptoKey",
                  UpdateCryptoKeyRequest.getDefaultInstance(),
                  CryptoKey.getDefaultInstance(),
                  this::updateCryptoKey))
          .addMethod(
              unary(
                  SERVICE,
                  "CreateCryptoKeyVersion",
                  CreateCryptoKeyVersionRequest.getDefaultInstance(),
                  CryptoKeyVersion.getDefaultInstance(),
                  this::createCryptoKeyVersion))
          .addMethod(
              unary(
                  SERVICE,
                  "UpdateCryptoKeyPrimaryVersion",
                  UpdateCryptoKeyPrimaryVersionRequest.getDefaultInstance(),
                  CryptoKey.getDefaultInstance(),
                  this::updateCryptoKeyPrimaryVersion))
          .addMethod(
              unary(
                  SERVICE,
                  "Encrypt",
                  EncryptRequest.getDefaultInstance(),
                  EncryptResponse.getDefaultInstance(),
                  this::encrypt))
          .addMethod(
              unary(
                  SERVICE,
                  "Decrypt",
                  DecryptRequest.getDefaultInstance(),
                  DecryptResponse.getDefaultInstance(),
                  this::decrypt))
          .build();
    }

    /** The {@code google.iam.v1.IAMPolicy} mixin the KMS client calls for key rings and keys. */
    ServerServiceDefinition iamDefinition() {
      return ServerServiceDefinition.builder(IAM_SERVICE)
          .addMethod(
              unary(
                  IAM_SERVICE,
                  "GetIamPolicy",
                  GetIamPolicyRequest.getDefaultInstance(),
                  Policy.getDefaultInstance(),
                  this::getIamPolicy))
          .addMethod(
              unary(
                  IAM_SERVICE,
                  "SetIamPolicy",
                  SetIamPolicyRequest.getDefaultInstance(),
                  Policy.getDefaultInstance(),
                  this::setIamPolicy))
          .build();
    }

    /**
     * Binds a unary method: the handler returns the response or throws a {@link
     * StatusRuntimeException}; every call is logged by method name.
     */
    private <Q extends Message, R extends Message> ServerMethodDefinition<Q, R> unary(
        String service, String name, Q request, R response, Function<Q, R> handler) {
      MethodDescriptor<Q, R> descriptor =
          MethodDescriptor.<Q, R>newBuilder()
              .setType(MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(MethodDescriptor.generateFullMethodName(service, name))
              .setRequestMarshaller(ProtoUtils.marshaller(request))
              .setResponseMarshaller(ProtoUtils.marshaller(response))
              .build();
      return ServerMethodDefinition.create(
          descriptor,
          ServerCalls.asyncUnaryCall(
              (Q req, StreamObserver<R> out) -> {
                calls.add(name);
                R r;
                try {
                  r = handler.apply(req);
                } catch (StatusRuntimeException e) {
                  out.onError(e);
                  return;
                }
                out.onNext(r);
                out.onCompleted();
              }));
    }

    KeyRing createKeyRing(CreateKeyRingRequest req) {
      if (!req.getParent().matches("projects/[^/]+/locations/[^/]+")
          || !req.getKeyRingId().matches(ID)) {
        throw invalid("invalid key ring " + req.getParent() + "/keyRings/" + req.getKeyRingId());
      }
      String name = req.getParent() + "/keyRings/" + req.getKeyRingId();
      KeyRing ring = KeyRing.newBuilder().setName(name).setCreateTime(now()).build();
      if (rings.putIfAbsent(name, ring) != null) {
        throw Status.ALREADY_EXISTS.withDescription(name).asRuntimeException();
      }
      return ring;
    }

    KeyRing getKeyRing(GetKeyRingRequest req) {
      KeyRing ring = rings.get(req.getName());
      if (ring == null) {
        throw notFound(req.getName());
      }
      return ring;
    }

    CryptoKey createCryptoKey(CreateCryptoKeyRequest req) {
      if (!rings.containsKey(req.getParent())) {
        throw notFound(req.getParent());
      }
      if (!req.getCryptoKeyId().matches(ID)) {
        throw invalid("invalid crypto key id " + req.getCryptoKeyId());
      }
      CryptoKey asked = req.getCryptoKey();
      if (asked.getPurpose() != CryptoKey.CryptoKeyPurpose.ENCRYPT_DECRYPT) {
        throw invalid("this fake serves purpose ENCRYPT_DECRYPT only, got " + asked.getPurpose());
      }
      CryptoKeyVersionTemplate.Builder template = asked.getVersionTemplate().toBuilder();
      if (template.getProtectionLevel() == ProtectionLevel.PROTECTION_LEVEL_UNSPECIFIED) {
        template.setProtectionLevel(ProtectionLevel.SOFTWARE); // Cloud KMS's default
      }
      if (template.getAlgorithm()
          == CryptoKeyVersionAlgorithm.CRYPTO_KEY_VERSION_ALGORITHM_UNSPECIFIED) {
        template.setAlgorithm(CryptoKeyVersionAlgorithm.GOOGLE_SYMMETRIC_ENCRYPTION);
      }
      if (template.getAlgorithm() != CryptoKeyVersionAlgorithm.GOOGLE_SYMMETRIC_ENCRYPTION) {
        throw invalid("algorithm " + template.getAlgorithm() + " does not match the purpose");
      }
      CryptoKey settings =
          CryptoKey.newBuilder()
              .setPurpose(asked.getPurpose())
              .setVersionTemplate(template)
              .putAllLabels(asked.getLabelsMap())
              .setRotationPeriod(asked.getRotationPeriod())
              .setNextRotationTime(asked.getNextRotationTime())
              .build();
      if (!asked.hasRotationPeriod()) {
        settings = settings.toBuilder().clearRotationPeriod().build();
      }
      if (!asked.hasNextRotationTime()) {
        settings = settings.toBuilder().clearNextRotationTime().build();
      }
      checkRotation(settings);
      String name = req.getParent() + "/cryptoKeys/" + req.getCryptoKeyId();
      KeyState s = new KeyState(name, settings);
      if (keys.putIfAbsent(name, s) != null) {
        throw Status.ALREADY_EXISTS.withDescription(name).asRuntimeException();
      }
      if (!req.getSkipInitialVersionCreation()) {
        addVersion(s);
      }
      return describe(s);
    }

    CryptoKey getCryptoKey(GetCryptoKeyRequest req) {
      return describe(key(req.getName()));
    }

    CryptoKey updateCryptoKey(UpdateCryptoKeyRequest req) {
      KeyState s = key(req.getCryptoKey().getName());
      if (req.getUpdateMask().getPathsCount() == 0) {
        throw invalid("update_mask is required");
      }
      CryptoKey asked = req.getCryptoKey();
      synchronized (s) {
        CryptoKey.Builder next = s.settings.toBuilder();
        for (String path : req.getUpdateMask().getPathsList()) {
          switch (path) {
            case "rotation_period" -> {
              if (asked.hasRotationPeriod()) {
                next.setRotationPeriod(asked.getRotationPeriod());
              } else {
                next.clearRotationPeriod();
              }
            }
            case "next_rotation_time" -> {
              if (asked.hasNextRotationTime()) {
                next.setNextRotationTime(asked.getNextRotationTime());
              } else {
                next.clearNextRotationTime();
              }
            }
            case "labels" -> next.clearLabels().putAllLabels(asked.getLabelsMap());
            default -> throw invalid("field " + path + " cannot be updated");
          }
        }
        CryptoKey updated = next.build();
        checkRotation(updated);
        s.settings = updated;
      }
      return describe(s);
    }

    CryptoKeyVersion createCryptoKeyVersion(CreateCryptoKeyVersionRequest req) {
      KeyState s = key(req.getParent());
      int v;
      synchronized (s) {
        byte[] k = new byte[32];
        RANDOM.nextBytes(k);
        s.versions.add(k);
        v = s.versions.size(); // real KMS does not make a new version primary by itself
      }
      return CryptoKeyVersion.newBuilder().setName(s.name + "/cryptoKeyVersions/" + v).build();
    }

    CryptoKey updateCryptoKeyPrimaryVersion(UpdateCryptoKeyPrimaryVersionRequest req) {
      KeyState s = keys.get(req.getName());
      int v;
      try {
        v = Integer.parseInt(req.getCryptoKeyVersionId());
      } catch (NumberFormatException e) {
        v = -1;
      }
      if (s == null || v < 1 || v > s.versions.size()) {
        throw notFound(req.getName() + " version " + req.getCryptoKeyVersionId());
      }
      s.primary = v;
      return describe(s);
    }

    Policy getIamPolicy(GetIamPolicyRequest req) {
      requireResource(req.getResource());
      return policies.getOrDefault(
          req.getResource(), Policy.newBuilder().setVersion(1).setEtag(etag(0)).build());
    }

    Policy setIamPolicy(SetIamPolicyRequest req) {
      requireResource(req.getResource());
      Policy asked = req.getPolicy();
      for (Binding b : asked.getBindingsList()) {
        if (!b.getRole().startsWith("roles/")) {
          throw invalid("Role " + b.getRole() + " is not supported for this resource.");
        }
        for (String m : b.getMembersList()) {
          if (!m.matches("(user|serviceAccount|group|domain|principal|principalSet):.+")) {
            throw invalid("Invalid member: " + m);
          }
        }
      }
      synchronized (policies) {
        Policy current =
            policies.getOrDefault(
                req.getResource(), Policy.newBuilder().setVersion(1).setEtag(etag(0)).build());
        if (!asked.getEtag().isEmpty() && !asked.getEtag().equals(current.getEtag())) {
          throw Status.ABORTED
              .withDescription(
                  "There were concurrent policy changes. Please retry the whole read-modify-write"
                      + " with exponential backoff.")
              .asRuntimeException();
        }
        Policy stored =
            asked.toBuilder().setVersion(1).setEtag(etag(policyEtag.incrementAndGet())).build();
        policies.put(req.getResource(), stored);
        return stored;
      }
    }

    private void requireResource(String resource) {
      if (!rings.containsKey(resource) && !keys.containsKey(resource)) {
        throw notFound(resource);
      }
    }

    EncryptResponse encrypt(EncryptRequest req) {
      encryptCalls.incrementAndGet();
      KeyState s = key(req.getName());
      byte[] pt = req.getPlaintext().toByteArray();
      byte[] aad = req.getAdditionalAuthenticatedData().toByteArray();
      if (req.hasPlaintextCrc32C() && req.getPlaintextCrc32C().getValue() != Crc32c.of(pt)) {
        throw invalid(
            "The checksum in field plaintext_crc32c did not match the data in field plaintext.");
      }
      if (req.hasAdditionalAuthenticatedDataCrc32C()
          && req.getAdditionalAuthenticatedDataCrc32C().getValue() != Crc32c.of(aad)) {
        throw invalid(
            "The checksum in field additional_authenticated_data_crc32c did not match the data.");
      }
      int v = s.primary;
      byte[] ct;
      try {
        ct = seal(s.versions.get(v - 1), v, pt, aad);
      } catch (GeneralSecurityException e) {
        throw Status.INTERNAL.withDescription("encrypt failed").asRuntimeException();
      }
      Fault f = takeFault();
      String name =
          (f == Fault.WRONG_KEY_NAME
                  ? s.name.replaceFirst("/cryptoKeys/.*$", "/cryptoKeys/other")
                  : s.name)
              + "/cryptoKeyVersions/"
              + v;
      long crc = Crc32c.of(ct) ^ (f == Fault.CORRUPT_CIPHERTEXT_CRC ? 1 : 0);
      return EncryptResponse.newBuilder()
          .setName(name)
          .setCiphertext(ByteString.copyFrom(ct))
          .setCiphertextCrc32C(Int64Value.of(crc))
          .setVerifiedPlaintextCrc32C(
              req.hasPlaintextCrc32C() && f != Fault.UNVERIFIED_PLAINTEXT_CRC)
          .setVerifiedAdditionalAuthenticatedDataCrc32C(req.hasAdditionalAuthenticatedDataCrc32C())
          .setProtectionLevel(protectionLevel(s))
          .build();
    }

    DecryptResponse decrypt(DecryptRequest req) {
      decryptCalls.incrementAndGet();
      KeyState s = key(req.getName());
      byte[] ct = req.getCiphertext().toByteArray();
      byte[] aad = req.getAdditionalAuthenticatedData().toByteArray();
      if (req.hasCiphertextCrc32C() && req.getCiphertextCrc32C().getValue() != Crc32c.of(ct)) {
        throw invalid(
            "The checksum in field ciphertext_crc32c did not match the data in field ciphertext.");
      }
      byte[] pt;
      try {
        pt = open(s, ct, aad);
      } catch (GeneralSecurityException | RuntimeException e) {
        throw invalid("Decryption failed: the ciphertext is invalid.");
      }
      long crc = Crc32c.of(pt) ^ (takeFault() == Fault.CORRUPT_PLAINTEXT_CRC ? 1 : 0);
      return DecryptResponse.newBuilder()
          .setPlaintext(ByteString.copyFrom(pt))
          .setPlaintextCrc32C(Int64Value.of(crc))
          .setUsedPrimary(true)
          .setProtectionLevel(protectionLevel(s))
          .build();
    }

    private KeyState key(String name) {
      KeyState s = keys.get(name);
      if (s == null) {
        throw notFound(name);
      }
      return s;
    }
  }

  private static StatusRuntimeException notFound(String what) {
    return Status.NOT_FOUND.withDescription(what).asRuntimeException();
  }

  private static StatusRuntimeException invalid(String why) {
    return Status.INVALID_ARGUMENT.withDescription(why).asRuntimeException();
  }

  private static ByteString etag(long n) {
    return ByteString.copyFrom(ByteBuffer.allocate(8).putLong(n).array());
  }

  /** Cloud KMS: a rotation period is at least a day and comes with a next rotation time. */
  private static void checkRotation(CryptoKey k) {
    if (k.hasRotationPeriod()) {
      long seconds = k.getRotationPeriod().getSeconds();
      if (seconds < MIN_ROTATION_SECONDS || seconds > MAX_ROTATION_SECONDS) {
        throw invalid(
            "rotation_period must be between 1 day and 876000 hours, got " + seconds + "s");
      }
      if (!k.hasNextRotationTime()) {
        throw invalid("next_rotation_time must be set when rotation_period is set");
      }
    }
  }

  private static ProtectionLevel protectionLevel(KeyState s) {
    synchronized (s) {
      return s.settings.getVersionTemplate().getProtectionLevel();
    }
  }

  private static CryptoKey describe(KeyState s) {
    CryptoKey settings;
    synchronized (s) {
      settings = s.settings;
    }
    CryptoKey.Builder k = settings.toBuilder().setName(s.name).setCreateTime(s.created);
    if (s.primary > 0) {
      k.setPrimary(
          CryptoKeyVersion.newBuilder()
              .setName(s.name + "/cryptoKeyVersions/" + s.primary)
              .setState(CryptoKeyVersion.CryptoKeyVersionState.ENABLED)
              .setProtectionLevel(settings.getVersionTemplate().getProtectionLevel())
              .setAlgorithm(settings.getVersionTemplate().getAlgorithm()));
    }
    return k.build();
  }

  // Ciphertext layout (opaque to clients, like real KMS): version (4 bytes BE) || iv (12) ||
  // AES-GCM(ct||tag).
  private static byte[] seal(byte[] key, int version, byte[] pt, byte[] aad)
      throws GeneralSecurityException {
    byte[] iv = new byte[12];
    RANDOM.nextBytes(iv);
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
    c.updateAAD(ByteBuffer.allocate(4).putInt(version).array());
    c.updateAAD(aad);
    byte[] body = c.doFinal(pt);
    return ByteBuffer.allocate(4 + 12 + body.length).putInt(version).put(iv).put(body).array();
  }

  private static byte[] open(KeyState s, byte[] ct, byte[] aad) throws GeneralSecurityException {
    ByteBuffer b = ByteBuffer.wrap(ct);
    int version = b.getInt();
    byte[] iv = new byte[12];
    b.get(iv);
    byte[] body = new byte[b.remaining()];
    b.get(body);
    if (version < 1 || version > s.versions.size()) {
      throw new GeneralSecurityException("unknown version");
    }
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(
        Cipher.DECRYPT_MODE,
        new SecretKeySpec(s.versions.get(version - 1), "AES"),
        new GCMParameterSpec(128, iv));
    c.updateAAD(ByteBuffer.allocate(4).putInt(version).array());
    c.updateAAD(aad);
    return c.doFinal(body);
  }
}
