package dev.strongroom.provisioner.audit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Scratch: keeps an audited instance up for manual probing until /tmp/probe/stop exists. */
public final class ProbeInstance {
  public static void main(String[] args) throws Exception {
    try (AuditTestInstance t = new AuditTestInstance("sr-probe-")) {
      StringBuilder sb = new StringBuilder();
      sb.append("socket=").append(t.db.socket()).append('\n');
      sb.append("user=").append(t.db.installerUser()).append('\n');
      sb.append("port=").append(t.db.port()).append('\n');
      for (int w = 0; w < 8; w++) {
        sb.append("token").append(w).append('=').append(t.tokens.issue("tenant-p" + w, "svc", Duration.ofMinutes(60))).append('\n');
      }
      sb.append("appargs=").append(String.join(" ", t.as("app_user").args())).append('\n');
      Files.writeString(Path.of("/tmp/probe/info"), sb.toString());
      System.out.println(sb);
      while (!Files.exists(Path.of("/tmp/probe/stop"))) {
        Thread.sleep(500);
      }
    }
  }
}
