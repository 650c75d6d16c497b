package dev.strongroom.crypto.gcpkms;

import com.google.cloud.kms.v1.CreateCryptoKeyRequest;
import com.google.cloud.kms.v1.CreateCryptoKeyVersionRequest;
import com.google.cloud.kms.v1.CreateKeyRingRequest;
import com.google.cloud.kms.v1.CryptoKey;
import com.google.cloud.kms.v1.CryptoKeyVersion;
import com.google.cloud.kms.v1.DecryptRequest;
import com.google.cloud.kms.v1.DecryptResponse;
import com.google.cloud.kms.v1.EncryptRequest;
import com.google.cloud.kms.v1.EncryptResponse;
import com.google.cloud.kms.v1.GetCryptoKeyRequest;
import com.google.cloud.kms.v1.KeyRing;
import com.google.cloud.kms.v1.ProtectionLevel;
import com.google.cloud.kms.v1.UpdateCryptoKeyPrimaryVersionRequest;
import com.google.protobuf.ByteString;
import com.google.protobuf.Int64Value;
import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * <b>A fake</b> of the Cloud KMS {@code KeyManagementService} for tests and the devstack: a real
 * gRPC server (HTTP/2, plaintext, loopback, free port) implementing the subset Strongroom uses —
 * CreateKeyRing, CreateCryptoKey, GetCryptoKey, CreateCryptoKeyVersion,
 * UpdateCryptoKeyPrimaryVersion, Encrypt, Decrypt — with Cloud KMS's checksum semantics (request
 * CRC32Cs verified, response CRC32Cs set). Keys live in memory (AES-256-GCM per version). It is not
 * a security boundary; production uses Cloud KMS.
 *
 * <p>{@link #inject(Fault)} makes it misbehave the ways the integrity checks must catch.
 */
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

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, KeyRing> rings = new ConcurrentHashMap<>();
  private final Map<String, KeyState> keys = new ConcurrentHashMap<>();
  private final AtomicInteger encryptCalls = new AtomicInteger();
  private final AtomicInteger decryptCalls = new AtomicInteger();
  private volatile Fault fault = Fault.NONE;
  private volatile boolean once;
  private final Server server;

  private static final class KeyState {
    final String name;
    final List<byte[]> versions = new ArrayList<>(); // version n at index n-1
    volatile int primary;

    KeyState(String name) {
      this.name = name;
    }
  }

  private FakeCloudKmsServer(int port) throws IOException {
    this.server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
            .addService(new Service().definition())
            .build()
            .start();
  }

  /** Starts on a free loopback port. */
  public static FakeCloudKmsServer start() throws IOException {
    return new FakeCloudKmsServer(0);
  }

  /** {@code 127.0.0.1:port}. */
  public String endpoint() {
    return "127.0.0.1:" + server.getPort();
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

  /**
   * Convenience for tests and the devstack: creates ring and key if absent; returns the key name.
   */
  public String createKey(String project, String location, String ring, String key) {
    String ringName = "projects/" + project + "/locations/" + location + "/keyRings/" + ring;
    rings.putIfAbsent(ringName, KeyRing.newBuilder().setName(ringName).build());
    String keyName = ringName + "/cryptoKeys/" + key;
    keys.computeIfAbsent(
        keyName,
        n -> {
          KeyState s = new KeyState(n);
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

    ServerServiceDefinition definition() {
      return ServerServiceDefinition.builder(SERVICE)
          .addMethod(
              method(
                  "CreateKeyRing",
                  CreateKeyRingRequest.getDefaultInstance(),
                  KeyRing.getDefaultInstance()),
              ServerCalls.asyncUnaryCall(this::createKeyRing))
          .addMethod(
              method(
                  "CreateCryptoKey",
                  CreateCryptoKeyRequest.getDefaultInstance(),
                  CryptoKey.getDefaultInstance()),
              ServerCalls.asyncUnaryCall(this::createCryptoKey))
          .addMethod(
              method(
                  "GetCryptoKey",
                  GetCryptoKeyRequest.getDefaultInstance(),
                  CryptoKey.getDefaultInstance()),
              ServerCalls.asyncUnaryCall(this::getCryptoKey))
          .addMethod(
              method(
                  "CreateCryptoKeyVersion",
                  CreateCryptoKeyVersionRequest.getDefaultInstance(),
                  CryptoKeyVersion.getDefaultInstance()),
              ServerCalls.asyncUnaryCall(this::createCryptoKeyVersion))
          .addMethod(
              method(
                  "UpdateCryptoKeyPrimaryVersion",
                  UpdateCryptoKeyPrimaryVersionRequest.getDefaultInstance(),
                  CryptoKey.getDefaultInstance()),
              ServerCalls.asyncUnaryCall(this::updateCryptoKeyPrimaryVersion))
          .addMethod(
              method(
                  "Encrypt",
                  EncryptRequest.getDefaultInstance(),
                  EncryptResponse.getDefaultInstance()),
              ServerCalls.asyncUnaryCall(this::encrypt))
          .addMethod(
              method(
                  "Decrypt",
                  DecryptRequest.getDefaultInstance(),
                  DecryptResponse.getDefaultInstance()),
              ServerCalls.asyncUnaryCall(this::decrypt))
          .build();
    }

    private <Q extends Message, R extends Message> MethodDescriptor<Q, R> method(
        String name, Q request, R response) {
      return MethodDescriptor.<Q, R>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
          .setRequestMarshaller(ProtoUtils.marshaller(request))
          .setResponseMarshaller(ProtoUtils.marshaller(response))
          .build();
    }

    void createKeyRing(CreateKeyRingRequest req, StreamObserver<KeyRing> out) {
      String name = req.getParent() + "/keyRings/" + req.getKeyRingId();
      if (rings.putIfAbsent(name, KeyRing.newBuilder().setName(name).build()) != null) {
        out.onError(Status.ALREADY_EXISTS.withDescription(name).asRuntimeException());
        return;
      }
      out.onNext(rings.get(name));
      out.onCompleted();
    }

    void createCryptoKey(CreateCryptoKeyRequest req, StreamObserver<CryptoKey> out) {
      if (!rings.containsKey(req.getParent())) {
        out.onError(Status.NOT_FOUND.withDescription(req.getParent()).asRuntimeException());
        return;
      }
      String name = req.getParent() + "/cryptoKeys/" + req.getCryptoKeyId();
      KeyState s = new KeyState(name);
      if (keys.putIfAbsent(name, s) != null) {
        out.onError(Status.ALREADY_EXISTS.withDescription(name).asRuntimeException());
        return;
      }
      addVersion(s);
      out.onNext(describe(s));
      out.onCompleted();
    }

    void getCryptoKey(GetCryptoKeyRequest req, StreamObserver<CryptoKey> out) {
      KeyState s = keys.get(req.getName());
      if (s == null) {
        out.onError(Status.NOT_FOUND.withDescription(req.getName()).asRuntimeException());
        return;
      }
      out.onNext(describe(s));
      out.onCompleted();
    }

    void createCryptoKeyVersion(
        CreateCryptoKeyVersionRequest req, StreamObserver<CryptoKeyVersion> out) {
      KeyState s = keys.get(req.getParent());
      if (s == null) {
        out.onError(Status.NOT_FOUND.withDescription(req.getParent()).asRuntimeException());
        return;
      }
      int v;
      synchronized (s) {
        byte[] k = new byte[32];
        RANDOM.nextBytes(k);
        s.versions.add(k);
        v = s.versions.size(); // real KMS does not make a new version primary by itself
      }
      out.onNext(CryptoKeyVersion.newBuilder().setName(s.name + "/cryptoKeyVersions/" + v).build());
      out.onCompleted();
    }

    void updateCryptoKeyPrimaryVersion(
        UpdateCryptoKeyPrimaryVersionRequest req, StreamObserver<CryptoKey> out) {
      KeyState s = keys.get(req.getName());
      int v;
      try {
        v = Integer.parseInt(req.getCryptoKeyVersionId());
      } catch (NumberFormatException e) {
        v = -1;
      }
      if (s == null || v < 1 || v > s.versions.size()) {
        out.onError(
            Status.NOT_FOUND
                .withDescription(req.getName() + " version " + req.getCryptoKeyVersionId())
                .asRuntimeException());
        return;
      }
      s.primary = v;
      out.onNext(describe(s));
      out.onCompleted();
    }

    void encrypt(EncryptRequest req, StreamObserver<EncryptResponse> out) {
      encryptCalls.incrementAndGet();
      KeyState s = keys.get(req.getName());
      if (s == null) {
        out.onError(Status.NOT_FOUND.withDescription(req.getName()).asRuntimeException());
        return;
      }
      byte[] pt = req.getPlaintext().toByteArray();
      byte[] aad = req.getAdditionalAuthenticatedData().toByteArray();
      if (req.hasPlaintextCrc32C() && req.getPlaintextCrc32C().getValue() != Crc32c.of(pt)) {
        out.onError(
            Status.INVALID_ARGUMENT
                .withDescription(
                    "The checksum in field plaintext_crc32c did not match the data in field plaintext.")
                .asRuntimeException());
        return;
      }
      if (req.hasAdditionalAuthenticatedDataCrc32C()
          && req.getAdditionalAuthenticatedDataCrc32C().getValue() != Crc32c.of(aad)) {
        out.onError(
            Status.INVALID_ARGUMENT
                .withDescription(
                    "The checksum in field additional_authenticated_data_crc32c did not match the data.")
                .asRuntimeException());
        return;
      }
      int v = s.primary;
      byte[] ct;
      try {
        ct = seal(s.versions.get(v - 1), v, pt, aad);
      } catch (GeneralSecurityException e) {
        out.onError(Status.INTERNAL.withDescription("encrypt failed").asRuntimeException());
        return;
      }
      Fault f = takeFault();
      String name =
          (f == Fault.WRONG_KEY_NAME
                  ? s.name.replaceFirst("/cryptoKeys/.*$", "/cryptoKeys/other")
                  : s.name)
              + "/cryptoKeyVersions/"
              + v;
      long crc = Crc32c.of(ct) ^ (f == Fault.CORRUPT_CIPHERTEXT_CRC ? 1 : 0);
      out.onNext(
          EncryptResponse.newBuilder()
              .setName(name)
              .setCiphertext(ByteString.copyFrom(ct))
              .setCiphertextCrc32C(Int64Value.of(crc))
              .setVerifiedPlaintextCrc32C(
                  req.hasPlaintextCrc32C() && f != Fault.UNVERIFIED_PLAINTEXT_CRC)
              .setVerifiedAdditionalAuthenticatedDataCrc32C(
                  req.hasAdditionalAuthenticatedDataCrc32C())
              .setProtectionLevel(ProtectionLevel.HSM)
              .build());
      out.onCompleted();
    }

    void decrypt(DecryptRequest req, StreamObserver<DecryptResponse> out) {
      decryptCalls.incrementAndGet();
      KeyState s = keys.get(req.getName());
      if (s == null) {
        out.onError(Status.NOT_FOUND.withDescription(req.getName()).asRuntimeException());
        return;
      }
      byte[] ct = req.getCiphertext().toByteArray();
      byte[] aad = req.getAdditionalAuthenticatedData().toByteArray();
      if (req.hasCiphertextCrc32C() && req.getCiphertextCrc32C().getValue() != Crc32c.of(ct)) {
        out.onError(
            Status.INVALID_ARGUMENT
                .withDescription(
                    "The checksum in field ciphertext_crc32c did not match the data in field ciphertext.")
                .asRuntimeException());
        return;
      }
      byte[] pt;
      try {
        pt = open(s, ct, aad);
      } catch (GeneralSecurityException | RuntimeException e) {
        out.onError(
            Status.INVALID_ARGUMENT
                .withDescription("Decryption failed: the ciphertext is invalid.")
                .asRuntimeException());
        return;
      }
      long crc = Crc32c.of(pt) ^ (takeFault() == Fault.CORRUPT_PLAINTEXT_CRC ? 1 : 0);
      out.onNext(
          DecryptResponse.newBuilder()
              .setPlaintext(ByteString.copyFrom(pt))
              .setPlaintextCrc32C(Int64Value.of(crc))
              .setUsedPrimary(true)
              .setProtectionLevel(ProtectionLevel.HSM)
              .build());
      out.onCompleted();
    }
  }

  private static CryptoKey describe(KeyState s) {
    return CryptoKey.newBuilder()
        .setName(s.name)
        .setPrimary(
            CryptoKeyVersion.newBuilder()
                .setName(s.name + "/cryptoKeyVersions/" + s.primary)
                .build())
        .setPurpose(CryptoKey.CryptoKeyPurpose.ENCRYPT_DECRYPT)
        .build();
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
