package dev.strongroom.provisioner.audit;

import static dev.strongroom.provisioner.audit.AuditTestInstance.bind;
import static dev.strongroom.provisioner.audit.AuditTestInstance.create;
import static dev.strongroom.provisioner.audit.AuditTestInstance.recordId;

import dev.strongroom.provisioner.schema.AuditInstaller;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Not a test: {@code main} prints audited vs unaudited insert throughput, 8 writers each calling
 * {@code app_create_user_encrypted} under autocommit on one private instance (the same settings as
 * the ITs). Rounds alternate unaudited (the twelve data-table triggers dropped) and audited
 * (re-installed). Usage: {@code java -cp <test classpath>
 * dev.strongroom.provisioner.audit.AuditThroughputBench [perWriter] [rounds]}.
 */
public final class AuditThroughputBench {
  private static final String CNF = AuditTestInstance.CNF;

  private static final String[] TRIGGERS = {
    "tenants_audit_insert", "tenants_audit_update", "tenants_audit_delete",
    "data_keys_audit_insert", "data_keys_audit_update", "data_keys_audit_delete",
    "users_audit_insert", "users_audit_update", "users_audit_delete",
    "record_decrypts_audit_insert", "record_decrypts_audit_update", "record_decrypts_audit_delete"
  };

  public static void main(String[] args) throws Exception {
    int perWriter = args.length > 0 ? Integer.parseInt(args[0]) : 400;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    int writers = 8;
    try (AuditTestInstance t = new AuditTestInstance("sr-bench-")) {
      List<String> tokens = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        tokens.add(t.tokens.issue("tenant-b" + w, "svc", Duration.ofMinutes(60), CNF));
        t.ok(
            "app_user",
            bind(tokens.get(w)) + create("req-b" + w + "-first", recordId(), "dek-b" + w));
      }
      double[] sum = new double[2];
      for (int r = 0; r < rounds; r++) {
        // ABBA order (unaudited first in even rounds, audited first in odd ones): neither mode
        // always runs on the
        // larger tables or right after the other's burst
        for (int k = 0; k < 2; k++) {
          int audited = r % 2 == 0 ? k : 1 - k;
          if (audited == 0) {
            StringBuilder drop = new StringBuilder();
            for (String tr : TRIGGERS) {
              drop.append("DROP TRIGGER IF EXISTS strongroom.").append(tr).append(";");
            }
            t.db.sql(drop.toString());
          } else {
            AuditInstaller.install(t.db, t.tokenKey, AuditInstaller.Options.manualSealing());
          }
          String tag = r + "-" + audited;
          List<Thread> threads = new ArrayList<>();
          for (int w = 0; w < writers; w++) {
            StringBuilder sql = new StringBuilder(bind(tokens.get(w)));
            for (int i = 0; i < perWriter; i++) {
              sql.append(create("req-b" + w + "-" + tag + "-" + i, recordId(), "dek-b" + w));
            }
            String script = sql.toString();
            threads.add(new Thread(() -> t.script("app_user", script, Duration.ofMinutes(10))));
          }
          long t0 = System.nanoTime();
          threads.forEach(Thread::start);
          for (Thread th : threads) {
            th.join();
          }
          double perSec = writers * perWriter / ((System.nanoTime() - t0) / 1e9);
          sum[audited] += perSec;
          System.out.printf(
              "round %d %-9s %8.1f creates/s%n", r, audited == 1 ? "audited" : "unaudited", perSec);
        }
      }
      long t1 = System.nanoTime();
      String sealed =
          t.ok("auditor", "CALL strongroom_audit.audit_seal(1000000)").rows().get(0).get(0);
      System.out.printf("seal of %s events: %d ms%n", sealed, (System.nanoTime() - t1) / 1_000_000);
      System.out.printf(
          "audited / unaudited = %.3f (mean %.1f vs %.1f creates/s)%n",
          sum[1] / sum[0], sum[1] / rounds, sum[0] / rounds);
      System.out.println("verify: " + t.verifier().verify());
    }
  }
}
