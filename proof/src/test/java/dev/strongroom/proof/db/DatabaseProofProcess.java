package dev.strongroom.proof.db;

import dev.strongroom.contracts.keys.SigningKey;
import dev.strongroom.contracts.token.TenantTokenKeyFile;
import dev.strongroom.contracts.token.TenantTokens;
import dev.strongroom.proof.bundle.BundleWriter;
import dev.strongroom.proof.run.Catalogue;
import dev.strongroom.proof.run.DbTarget;
import dev.strongroom.proof.run.HostFacts;
import dev.strongroom.proof.run.ProofContext;
import dev.strongroom.proof.run.ProofReport;
import dev.strongroom.proof.run.ProofRunner;
import dev.strongroom.proof.run.StandardCatalogue;
import dev.strongroom.provisioner.db.Dialect;
import dev.strongroom.provisioner.pki.PkiSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The database controls run as a process of their own, configured the way the proof-service is on a
 * provisioned host ({@code strongroom.proof.db.*}, {@code strongroom.proof.tenant-token-key};
 * docs/ops-plane.md): the database over TCP at {@code 127.0.0.1:<port>}, the installer's socket,
 * the data directory, the installed CA and the identities' certificates and keys in {@code
 * <clients>/<identity>.pem|.key}, the tenant authority's key file, and {@link HostFacts#detect()}.
 * A process, so that {@code ProvisionedHostDatabaseIT} can start it where the host's paths resolve
 * into the applied root, as they do for the server it proves (the server's variables name host
 * paths, which SR-DB-FILE-01 and SR-DB-OS-01 read). It writes the signed bundle a run writes.
 *
 * <p>Arguments, in order: port, socket, data directory, CA certificate, clients directory,
 * tenant-token key file, the bundle key (PEM), the bundle to write; then, optionally, the ids of
 * the controls to run (comma-separated; all of them without).
 */
final class DatabaseProofProcess {
  private DatabaseProofProcess() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 8 && args.length != 9) {
      throw new IllegalArgumentException(
          "port socket dataDir caCert clientsDir tenantTokenKey bundleKey bundle [ids]");
    }
    List<String> only = args.length == 9 ? List.of(args[8].split(",")) : List.of();
    Path clients = Path.of(args[4]);
    Map<String, DbTarget.CertKey> ids = new LinkedHashMap<>();
    for (String id : PkiSpec.DB_IDENTITIES) {
      ids.put(id, new DbTarget.CertKey(clients.resolve(id + ".pem"), clients.resolve(id + ".key")));
    }
    DbTarget target =
        new DbTarget(
            "127.0.0.1",
            Integer.parseInt(args[0]),
            Optional.of(Path.of(args[1])),
            Dialect.MARIADB_10_11.id(),
            "strongroom",
            Optional.of(Path.of(args[2])),
            Path.of(args[3]),
            ids);
    Clock clock = Clock.systemUTC();
    TenantTokens authority = new TenantTokens(TenantTokenKeyFile.open(Path.of(args[5])), clock);
    Path scratch = Files.createTempDirectory(Path.of("/tmp"), "sr-host-proof-");
    try {
      ProofReport report =
          new ProofRunner(
                  new Catalogue(
                      StandardCatalogue.VERSION,
                      DatabaseControls.all().stream()
                          .filter(c -> only.isEmpty() || only.contains(c.control().id()))
                          .toList()))
              .run(
                  new ProofContext(
                      Optional.of(target),
                      Optional.of(authority),
                      HostFacts.detect(),
                      scratch,
                      clock));
      BundleWriter.write(report, SigningKey.load(Path.of(args[6])), Path.of(args[7]), Map.of());
    } finally {
      try (Stream<Path> s = Files.walk(scratch)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  /** The arguments of one run. */
  static List<String> arguments(
      int port,
      Path socket,
      Path dataDir,
      Path caCert,
      Path clients,
      Path tenantTokenKey,
      Path bundleKey,
      Path bundle,
      List<String> only) {
    List<String> args = new ArrayList<>();
    args.addAll(
        List.of(
            Integer.toString(port),
            socket.toString(),
            dataDir.toString(),
            caCert.toString(),
            clients.toString(),
            tenantTokenKey.toString(),
            bundleKey.toString(),
            bundle.toString()));
    if (!only.isEmpty()) {
      args.add(String.join(",", only));
    }
    return args;
  }
}
