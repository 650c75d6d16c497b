package dev.strongroom.audit.witness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.audit.checkpoint.Checkpoint;
import dev.strongroom.audit.note.CosignatureV1Verifier;
import dev.strongroom.audit.note.Ed25519NoteSigner;
import dev.strongroom.audit.note.NoteSignature;
import dev.strongroom.audit.note.Notes;
import dev.strongroom.audit.tree.MerkleTree;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A witness in its own process (java, the library's classes, loopback HTTP): it cosigns a growing
 * log, keeps its last size across a restart, and refuses a forked checkpoint, a stale old size, an
 * unknown log and a forged signature with the protocol's status codes.
 */
class WitnessProcessIT {
  @TempDir Path tmp;
  private Process process;

  private static final Ed25519NoteSigner LOG =
      Ed25519NoteSigner.fromSeed(
          "strongroom.local/db1",
          new byte[] {
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
            25, 26, 27, 28, 29, 30, 31, 32
          });

  @AfterEach
  void stop() throws Exception {
    if (process != null) {
      process.destroy();
      process.waitFor();
    }
  }

  /** Starts the witness process; returns {port, verifier key}. */
  private String[] start() throws Exception {
    Path seed = tmp.resolve("seed");
    if (!Files.exists(seed)) {
      Files.writeString(seed, Base64.getEncoder().encodeToString(new byte[32]));
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    process =
        new ProcessBuilder(
                java,
                "-Xmx64m",
                "-cp",
                System.getProperty("java.class.path"),
                WitnessServer.class.getName(),
                "--port",
                "0",
                "--state",
                tmp.resolve("state").toString(),
                "--name",
                "witness.example/w1",
                "--seed-file",
                seed.toString(),
                "--log",
                LOG.verifierKey())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    assertTrue(line != null && line.startsWith("witness listening on "), String.valueOf(line));
    String[] p = line.substring("witness listening on ".length()).split(" ");
    return p;
  }

  private static HttpResponse<String> post(int port, String body) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/add-checkpoint"))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static String note(long size, byte[] root) {
    return new String(Checkpoint.of(LOG.name(), size, root).sign(LOG), StandardCharsets.UTF_8);
  }

  @Test
  void cosignsAGrowingLog_keepsItsSizeAcrossARestart_andRefusesAFork() throws Exception {
    String[] w = start();
    int port = Integer.parseInt(w[0]);
    CosignatureV1Verifier wkey = CosignatureV1Verifier.parse(w[1]);
    WitnessClient client = new WitnessClient(URI.create("http://127.0.0.1:" + port), wkey);

    MerkleTree tree = new MerkleTree();
    for (int i = 0; i < 10; i++) {
      tree.append(new byte[] {(byte) i});
    }
    byte[] n10 = note(10, tree.root()).getBytes(StandardCharsets.UTF_8);
    List<NoteSignature> c10 = client.add(tree, 10, 0, n10);
    assertTrue(wkey.verify(Notes.parse(n10).text(), c10.get(0)));

    for (int i = 10; i < 25; i++) {
      tree.append(new byte[] {(byte) i});
    }
    byte[] n25 = note(25, tree.root()).getBytes(StandardCharsets.UTF_8);
    // the client believes the witness is at 0: 409 tells it 10, and it retries with a proof
    assertEquals(1, client.add(tree, 25, 0, n25).size());

    // restart: the size survives
    process.destroy();
    process.waitFor();
    w = start();
    port = Integer.parseInt(w[0]);
    HttpResponse<String> stale = post(port, "old 10\n\n" + new String(n25, StandardCharsets.UTF_8));
    assertEquals(409, stale.statusCode());
    assertEquals("25\n", stale.body());
    assertEquals("text/x.tlog.size", stale.headers().firstValue("Content-Type").orElse(""));

    // a fork: another log of 30 entries sharing nothing after entry 5
    MerkleTree fork = new MerkleTree();
    for (int i = 0; i < 30; i++) {
      fork.append(new byte[] {(byte) (i < 5 ? i : 100 + i)});
    }
    StringBuilder body = new StringBuilder("old 25\n");
    for (byte[] h : fork.consistencyProof(25, 30)) {
      body.append(Base64.getEncoder().encodeToString(h)).append('\n');
    }
    body.append('\n').append(note(30, fork.root()));
    HttpResponse<String> forked = post(port, body.toString());
    assertEquals(422, forked.statusCode(), forked.body());
    assertTrue(forked.body().startsWith("not consistent with size 25"), forked.body());
    // same size, another root
    assertEquals(422, post(port, "old 25\n\n" + note(25, fork.root(25))).statusCode());

    // unknown origin, forged signature, malformed
    Ed25519NoteSigner other = Ed25519NoteSigner.fromSeed("other.example/log", new byte[32]);
    String otherNote =
        new String(
            Checkpoint.of(other.name(), 1, fork.root(1)).sign(other), StandardCharsets.UTF_8);
    assertEquals(404, post(port, "old 0\n\n" + otherNote).statusCode());
    Ed25519NoteSigner impostor = Ed25519NoteSigner.fromSeed(LOG.name(), new byte[32]);
    String forged =
        new String(
            Checkpoint.of(LOG.name(), 30, fork.root()).sign(impostor), StandardCharsets.UTF_8);
    assertEquals(403, post(port, "old 25\n\n" + forged).statusCode());
    assertEquals(400, post(port, "old 26\n\n" + note(25, tree.root())).statusCode());
    assertEquals(400, post(port, "garbage").statusCode());

    // the honest log still gets cosigned from 25
    for (int i = 25; i < 40; i++) {
      tree.append(new byte[] {(byte) i});
    }
    WitnessClient again = new WitnessClient(URI.create("http://127.0.0.1:" + port), wkey);
    byte[] n40 = note(40, tree.root()).getBytes(StandardCharsets.UTF_8);
    assertEquals(1, again.add(tree, 40, 25, n40).size());
    WitnessClient.WitnessRefusedException e =
        assertThrows(
            WitnessClient.WitnessRefusedException.class,
            () -> again.add(fork, 30, 40, note(30, fork.root()).getBytes(StandardCharsets.UTF_8)));
    assertEquals(400, e.status());
  }
}
