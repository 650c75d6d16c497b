package dev.strongroom.devstack.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.encoding.Base64Url;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.token.TenantTokens;
import dev.strongroom.crypto.kms.InsecureLocalKeyring;
import dev.strongroom.devstack.keys.DevKeys;
import dev.strongroom.provisioner.db.ClientConnection;
import dev.strongroom.provisioner.db.ClientResult;
import dev.strongroom.provisioner.db.MariaDbBinaries;
import dev.strongroom.provisioner.db.MariaDbClient;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Rotates a running stack's key-encryption key and rewraps every data key under the new version,
 * without touching a ciphertext (issue 10; what {@code ./strongroom rotate-kek} and the demo run).
 *
 * <ol>
 *   <li><b>rotate</b>: a new KEK version is added to the stack's KMS (the development keyring,
 *       {@code keys/dev-kek.keyring}: the new version is its last line, so the primary; the old
 *       versions stay for unwrapping);
 *   <li><b>restart</b>: the crypto-service instances are restarted one after another ({@code
 *       restart crypto}), so new data keys are wrapped under the new version from then on and no
 *       cached data key of the old one serves new records;
 *   <li><b>rewrap</b>: for each tenant with a data key under an older version (the tenant names
 *       read as the installer), bound as {@code app_user} with a token of the stack's tenant
 *       authority, each key of {@code v_data_keys} is rewrapped by the crypto-service ({@code POST
 *       /v1/rewrap}, the operator's: only it holds KMS rights) and stored with {@code
 *       app_rewrap_data_key} — a compare-and-set on the old version, so a concurrent rotator or a
 *       repeat changes nothing twice, and an audited change of {@code data_keys}.
 * </ol>
 *
 * <p>Resumable: {@value #MARKER} in the state directory records the rotation under way (from, to);
 * a run that finds one continues it — to the same version, without adding another (unless the
 * earlier run died before it added it) — instead of starting a new one, and deletes it once no data
 * key is left under an older version. {@code RotateKekIT} kills a run with SIGKILL midway and
 * resumes it.
 */
public final class KekRotation {
  private KekRotation() {}

  /** The marker of a rotation under way, in the state directory. */
  public static final String MARKER = "kek-rotation.json";

  /** What a run did. */
  public record Result(
      String keyName,
      String from,
      String to,
      boolean resumed,
      int tenants,
      long rewrapped,
      long unchanged,
      long dataKeys,
      long left,
      double seconds) {}

  /**
   * Rotates (or resumes the rotation under way) on the stack {@code launcher} runs in {@code
   * state}; progress lines go to {@code progress}.
   *
   * @throws StackException no stack, no development keyring, or a refusal on the way
   */
  public static Result rotate(StackLauncher launcher, Path state, PrintStream progress)
      throws IOException, InterruptedException {
    // one rotation at a time: two would each add "the next" version, and the keyring would keep
    // only one of the two KEKs under that name, leaving data keys wrapped under the other lost
    try (FileChannel lockFile =
            FileChannel.open(
                state.resolve("kek-rotation.lock"),
                Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
        FileLock lock = lockFile.tryLock()) {
      if (lock == null) {
        throw new StackException(
            "another rotate-kek is running on this stack ("
                + state.resolve("kek-rotation.lock")
                + " is locked)");
      }
      return rotateLocked(launcher, state, progress);
    }
  }

  private static Result rotateLocked(StackLauncher launcher, Path state, PrintStream progress)
      throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    Path stackFile = launcher.stackFile();
    if (!Files.exists(stackFile)) {
      throw new StackException("the stack is not up (no " + stackFile + "); run ./strongroom up");
    }
    StackDescriptor stack = StackDescriptor.fromJson(Files.readAllBytes(stackFile));
    StackDescriptor.Db db =
        stack.db().orElseThrow(() -> new StackException("stack.json has no db part"));
    Path keyDir = state.resolve("keys");
    Path keyring = keyDir.resolve(DevKeys.DEV_KEYRING);
    if (!Files.exists(keyring)) {
      throw new StackException("the stack has no development keyring (" + keyring + ")");
    }
    Path marker = state.resolve(MARKER);
    String from;
    String to;
    boolean resumed = Files.exists(marker);
    if (resumed) {
      JsonNode m = CanonicalJson.parse(Files.readAllBytes(marker));
      from = m.path("from").asText();
      to = m.path("to").asText();
      progress.println("resuming the rotation " + from + " -> " + to + " left by an earlier run");
      if (InsecureLocalKeyring.load(DevKeys.DEV_KEK_NAME, keyring, new SecureRandom())
          .primaryVersion()
          .equals(from)) {
        // the earlier run died between writing the marker and adding the version
        InsecureLocalKeyring.addVersion(keyring, to, new SecureRandom());
        progress.println("added KEK version " + to + " of " + DevKeys.DEV_KEK_NAME);
      }
    } else {
      from =
          InsecureLocalKeyring.load(DevKeys.DEV_KEK_NAME, keyring, new SecureRandom())
              .primaryVersion();
      to = next(from);
      writeMarker(marker, from, to);
      InsecureLocalKeyring.addVersion(keyring, to, new SecureRandom());
      progress.println("added KEK version " + to + " of " + DevKeys.DEV_KEK_NAME);
    }
    String primary =
        InsecureLocalKeyring.load(DevKeys.DEV_KEK_NAME, keyring, new SecureRandom())
            .primaryVersion();
    if (!primary.equals(to)) {
      throw new StackException(
          "the keyring's primary version is " + primary + ", the rotation under way is to " + to);
    }
    progress.println("restarting the crypto-service so it wraps under version " + to + " …");
    launcher.restart(ServiceModule.CRYPTO);

    MariaDbClient mariadb = new MariaDbClient(MariaDbBinaries.debian().client());
    ClientConnection installer =
        ClientConnection.socket(db.socket(), System.getProperty("user.name"));
    ClientConnection app =
        ClientConnection.tcp(db.host(), db.port(), "app_user")
            .tls(
                db.caCert(),
                db.identities().get("app_user").cert(),
                db.identities().get("app_user").key());
    TenantTokens authority = DevKeys.open(keyDir).tenantTokens(Clock.systemUTC());
    HttpClient http = launcher.identity("operator").httpClient();
    // the tokens are bound to the operator's certificate: the crypto-service checks that binding
    // (sender-constrained tokens); the database checks the token's shape, signature and tenant
    String operatorCert = TenantTokens.thumbprint(launcher.identity("operator").certificate());
    String rewrapUrl = stack.services().get(ServiceModule.CRYPTO) + "/v1/rewrap";

    List<String> tenants =
        rows(
                mariadb.require(
                    installer,
                    "SELECT DISTINCT tenant_id FROM strongroom.data_keys WHERE"
                        + " CAST(kms_key_version AS BINARY) <> "
                        + quote(to)
                        + " ORDER BY tenant_id"))
            .stream()
            .map(r -> r.get(0))
            .toList();
    long rewrapped = 0;
    long unchanged = 0;
    for (String tenant : tenants) {
      String token = authority.issue(tenant, "rotate-kek", Duration.ofMinutes(15), operatorCert);
      String bind = "CALL strongroom.security_set_tenant(" + quote(token) + ");\n";
      ClientResult keys =
          script(
              mariadb,
              app,
              bind
                  + "SELECT 'KEY', dek_id, kms_key_name, kms_key_version, HEX(wrapped_dek),"
                  + " IFNULL(HEX(pq_wrapped_dek), ''), IFNULL(pq_alg, '') FROM"
                  + " strongroom.v_data_keys WHERE CAST(kms_key_version AS BINARY) <> "
                  + quote(to)
                  + ";");
      long tenantRewrapped = 0;
      for (List<String> k : rows(keys)) {
        if (k.size() != 7 || !k.get(0).equals("KEY")) {
          continue; // the binding's own result row
        }
        String dekId = k.get(1);
        ObjectNode body = CanonicalJson.mapper().createObjectNode();
        body.put("tenant", tenant)
            .put("tenantToken", token)
            .put("dekId", dekId)
            .put("kmsKeyName", k.get(2))
            .put("kmsKeyVersion", k.get(3))
            .put("wrappedDek", Base64Url.encode(HexFormat.of().parseHex(k.get(4))));
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(rewrapUrl))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                    .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (r.statusCode() != 200) {
          throw new StackException(
              "the crypto-service refused to rewrap data key "
                  + dekId
                  + " of "
                  + tenant
                  + ": HTTP "
                  + r.statusCode()
                  + " "
                  + r.body());
        }
        JsonNode w = CanonicalJson.parse(r.body().getBytes(StandardCharsets.UTF_8));
        if (!w.path("kmsKeyVersion").asText().equals(to)) {
          throw new StackException(
              "the crypto-service rewrapped "
                  + dekId
                  + " under version "
                  + w.path("kmsKeyVersion").asText()
                  + ", not "
                  + to);
        }
        String pq = k.get(5).isEmpty() ? "NULL" : "X'" + k.get(5) + "'";
        String pqAlg = k.get(6).isEmpty() ? "NULL" : quote(k.get(6));
        ClientResult stored =
            script(
                mariadb,
                app,
                bind
                    + "CALL strongroom.app_rewrap_data_key("
                    + quote(dekId)
                    + ", "
                    + quote(k.get(3))
                    + ", X'"
                    + HexFormat.of().formatHex(Base64Url.decode(w.path("wrappedDek").asText()))
                    + "', "
                    + quote(w.path("kmsKeyName").asText())
                    + ", "
                    + quote(to)
                    + ", "
                    + pq
                    + ", "
                    + pqAlg
                    + ");");
        String status =
            rows(stored).stream()
                .filter(x -> x.size() == 5 && x.get(1).equals(dekId))
                .map(x -> x.get(0))
                .findFirst()
                .orElse("?");
        if (status.equals("REWRAPPED")) {
          rewrapped++;
          tenantRewrapped++;
        } else {
          unchanged++;
        }
      }
      progress.println(
          "  " + tenant + ": " + tenantRewrapped + " data key(s) rewrapped " + from + " -> " + to);
    }
    long left =
        Long.parseLong(
            mariadb
                .require(
                    installer,
                    "SELECT COUNT(*) FROM strongroom.data_keys WHERE CAST(kms_key_version AS"
                        + " BINARY) <> "
                        + quote(to))
                .scalar());
    long total =
        Long.parseLong(
            mariadb.require(installer, "SELECT COUNT(*) FROM strongroom.data_keys").scalar());
    if (left == 0) {
      Files.deleteIfExists(marker);
    }
    return new Result(
        DevKeys.DEV_KEK_NAME,
        from,
        to,
        resumed,
        tenants.size(),
        rewrapped,
        unchanged,
        total,
        left,
        (System.nanoTime() - t0) / 1e9);
  }

  /** The version after {@code v}: the next number for a numeric one, else {@code v-2}. */
  public static String next(String v) {
    try {
      return Long.toString(Math.addExact(Long.parseLong(v), 1));
    } catch (NumberFormatException | ArithmeticException e) {
      return v + "-2";
    }
  }

  private static void writeMarker(Path marker, String from, String to) throws IOException {
    ObjectNode m = CanonicalJson.mapper().createObjectNode();
    m.put("from", from);
    m.put("to", to);
    Path tmp = marker.resolveSibling(MARKER + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(
        tmp,
        java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tmp, CanonicalJson.canonicalString(m) + "\n");
    Files.move(tmp, marker, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** A script through the client's standard input (the token never on a command line). */
  private static ClientResult script(MariaDbClient mariadb, ClientConnection c, String sql) {
    ClientResult r = mariadb.executeScript(c, sql);
    if (!r.ok()) {
      throw new StackException(
          "the database refused: " + r.error().map(Object::toString).orElse(r.stderr().strip()));
    }
    return r;
  }

  private static List<List<String>> rows(ClientResult r) {
    return new ArrayList<>(r.rows());
  }

  /** A SQL string literal of a value the command itself made or read (no quote inside). */
  private static String quote(String v) {
    if (v.indexOf('\'') >= 0 || v.indexOf('\\') >= 0) {
      throw new StackException("unexpected quote in '" + v + "'");
    }
    return "'" + v + "'";
  }
}
