package dev.strongroom.audit;

import dev.strongroom.audit.chain.AuditEvent;
import dev.strongroom.audit.chain.ChainHash;
import dev.strongroom.audit.chain.ChainRow;
import dev.strongroom.audit.chain.HashChainVerifier;
import dev.strongroom.audit.tree.MerkleTree;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * Verification throughput (a benchmark, not a test: no timing is asserted): the chain re-hash
 * ({@link HashChainVerifier}: payload rebuilt, JSON re-canonicalised, SHA-256) plus the RFC 6962
 * tree over the entries, against raw SHA-256 of the same {@code prev|payload} bytes measured in the
 * same run. Run: {@code mvn -o -q -pl audit test-compile && java -cp
 * audit/target/classes:audit/target/test-classes dev.strongroom.audit.AuditVerifyBench [events]
 * [rounds]}.
 */
public final class AuditVerifyBench {
  private AuditVerifyBench() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    List<ChainRow> rows = new ArrayList<>(n);
    List<byte[]> raw = new ArrayList<>(n);
    String prev = ChainHash.GENESIS;
    for (int i = 1; i <= n; i++) {
      AuditEvent e =
          new AuditEvent(
              i,
              "2026-12-04 09:00:00.000000",
              "app_user@127.0.0.1",
              "audit_definer@localhost",
              "tenant-" + (i % 17),
              "INSERT",
              "users",
              "{\"record_id\":\"0190a1b2-c3d4-7e5f-8a9b-" + String.format("%012d", i) + "\"}",
              null,
              "{\"created_at\":\"2026-12-04 09:00:00.000000\",\"dek_id\":"
                  + (i % 50)
                  + ",\"email_ct\":\"3q2+7w==\",\"email_iv\":\"AAECAwQFBgcICQoL\",\"name_ct\":\"3q2+7w==\","
                  + "\"name_iv\":\"AAECAwQFBgcICQoL\",\"record_id\":\"0190a1b2-c3d4-7e5f-8a9b-"
                  + String.format("%012d", i)
                  + "\",\"request_id\":\"req-"
                  + i
                  + "\",\"tenant_id\":\"tenant-"
                  + (i % 17)
                  + "\"}",
              "req-" + i);
      String payload = e.payload();
      String h = ChainHash.hash(prev, payload);
      rows.add(new ChainRow(i, i, prev, h, e));
      raw.add((prev + "|" + payload).getBytes(StandardCharsets.UTF_8));
      prev = h;
    }
    System.out.printf(
        "events %d, mean payload %d bytes%n", n, raw.stream().mapToInt(b -> b.length).sum() / n);
    for (int r = 1; r <= rounds; r++) {
      long t0 = System.nanoTime();
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte x = 0;
      for (byte[] b : raw) {
        x ^= md.digest(b)[0];
      }
      long t1 = System.nanoTime();
      HashChainVerifier v = HashChainVerifier.fromGenesis();
      MerkleTree tree = new MerkleTree();
      for (ChainRow row : rows) {
        if (!v.accept(row)) {
          throw new IllegalStateException(v.result().toString());
        }
        tree.append(ChainHash.entry(row.currHash()));
      }
      byte[] root = tree.root();
      long t2 = System.nanoTime();
      double sha = n / ((t1 - t0) / 1e9);
      double ver = n / ((t2 - t1) / 1e9);
      System.out.printf(
          "round %d: raw SHA-256 %.0f/s, verify (re-hash + tree) %.0f events/s, ratio %.2f (%d %d)%n",
          r, sha, ver, ver / sha, x, root[0]);
    }
  }
}
