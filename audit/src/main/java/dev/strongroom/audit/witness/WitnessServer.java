package dev.strongroom.audit.witness;

import com.sun.net.httpserver.HttpServer;
import dev.strongroom.audit.note.CosignatureV1Signer;
import dev.strongroom.audit.note.Ed25519NoteVerifier;
import dev.strongroom.audit.note.NoteVerifier;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@link Witness} as a small HTTP process (JDK {@code HttpServer}, loopback): {@code POST
 * /add-checkpoint}. Usage: {@code java -cp audit.jar dev.strongroom.audit.witness.WitnessServer
 * --port 0 --state DIR --name witness.example/w1 --seed-file FILE --log VKEY [--log VKEY…]}; the
 * seed file holds the base64 32-byte Ed25519 private key. Prints {@code witness listening on <port>
 * <verifier key>} once ready.
 */
public final class WitnessServer implements AutoCloseable {
  /** Request bodies above this are refused (413). */
  public static final int MAX_BODY = 64 * 1024;

  private final HttpServer server;

  private WitnessServer(HttpServer server) {
    this.server = server;
  }

  /** Serves {@code witness} on loopback {@code port} (0: any free port). */
  public static WitnessServer start(Witness witness, int port) throws IOException {
    HttpServer s =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
    s.createContext(
        "/add-checkpoint",
        ex -> {
          try (ex) {
            if (!"POST".equals(ex.getRequestMethod())) {
              ex.sendResponseHeaders(405, -1);
              return;
            }
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
              body = in.readNBytes(MAX_BODY + 1);
            }
            if (body.length > MAX_BODY) {
              ex.sendResponseHeaders(413, -1);
              return;
            }
            Witness.Response r;
            try {
              r = witness.addCheckpoint(body);
            } catch (RuntimeException e) {
              r =
                  new Witness.Response(
                      500,
                      "text/plain",
                      "internal error\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            ex.getResponseHeaders().set("Content-Type", r.contentType());
            ex.sendResponseHeaders(r.status(), r.body().length);
            try (OutputStream out = ex.getResponseBody()) {
              out.write(r.body());
            }
          }
        });
    s.start();
    return new WitnessServer(s);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  public static void main(String[] args) throws Exception {
    int port = 0;
    Path state = null;
    Path seedFile = null;
    String name = null;
    Map<String, NoteVerifier> logs = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(args[i + 1]);
        case "--state" -> state = Path.of(args[i + 1]);
        case "--seed-file" -> seedFile = Path.of(args[i + 1]);
        case "--name" -> name = args[i + 1];
        case "--log" -> {
          Ed25519NoteVerifier v = Ed25519NoteVerifier.parse(args[i + 1]);
          logs.put(v.name(), v);
        }
        default -> usage("unknown option " + args[i]);
      }
    }
    if (args.length % 2 != 0
        || state == null
        || seedFile == null
        || name == null
        || logs.isEmpty()) {
      usage("--state, --seed-file, --name and at least one --log are required");
    }
    byte[] seed = Base64.getDecoder().decode(Files.readString(seedFile).strip());
    CosignatureV1Signer signer = CosignatureV1Signer.fromSeed(name, seed);
    WitnessServer s = start(new Witness(signer, logs, state, Clock.systemUTC()), port);
    Runtime.getRuntime().addShutdownHook(new Thread(s::close));
    System.out.println("witness listening on " + s.port() + " " + signer.verifierKey());
    System.out.flush();
    Thread.currentThread().join();
  }

  private static void usage(String why) {
    System.err.println(
        "usage: WitnessServer --port N --state DIR --name NAME --seed-file FILE --log VKEY...: "
            + why);
    System.exit(2);
  }
}
