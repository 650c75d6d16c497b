package dev.strongroom.provisioner.db;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How the stock {@code mariadb} client should connect, as command-line arguments. Always starts
 * with {@code --no-defaults}: no option file on the host (e.g. one pointing at the machine's shared
 * server) can redirect a Strongroom client.
 */
public final class ClientConnection {
  private final List<String> args = new ArrayList<>();

  private ClientConnection(List<String> base) {
    args.add("--no-defaults");
    args.addAll(base);
  }

  /** Over the instance's Unix socket (the installer's root login). */
  public static ClientConnection socket(Path socket, String user) {
    return new ClientConnection(
        List.of(
            "--protocol=SOCKET", "--socket=" + socket, "--user=" + Objects.requireNonNull(user)));
  }

  /** Over TCP to 127.0.0.1:{@code port}. Add {@link #tls} or {@link #plaintext}. */
  public static ClientConnection tcp(int port, String user) {
    return tcp("127.0.0.1", port, user);
  }

  /** Over TCP to {@code host}:{@code port}. Add {@link #tls} or {@link #plaintext}. */
  public static ClientConnection tcp(String host, int port, String user) {
    return new ClientConnection(
        List.of(
            "--protocol=TCP",
            "--host=" + Objects.requireNonNull(host),
            "--port=" + port,
            "--user=" + Objects.requireNonNull(user)));
  }

  /** TLS with the CA to verify the server and, when not null, a client certificate and key. */
  public ClientConnection tls(Path ca, Path cert, Path key) {
    args.add("--ssl");
    args.add("--ssl-ca=" + ca);
    args.add("--ssl-verify-server-cert");
    if (cert != null) {
      args.add("--ssl-cert=" + cert);
      args.add("--ssl-key=" + key);
    }
    return this;
  }

  /** No TLS at all ({@code --skip-ssl}). */
  public ClientConnection plaintext() {
    args.add("--skip-ssl");
    return this;
  }

  /** Restrict the client to one TLS version, e.g. {@code TLSv1.2}. */
  public ClientConnection tlsVersion(String version) {
    args.add("--tls-version=" + version);
    return this;
  }

  /** Restrict the client to one cipher or TLS 1.3 suite. */
  public ClientConnection cipher(String cipher) {
    args.add("--ssl-cipher=" + cipher);
    return this;
  }

  /** A password (for probe accounts only; identities authenticate by certificate). */
  public ClientConnection password(String password) {
    args.add("--password=" + password);
    return this;
  }

  /** Any further raw client argument. */
  public ClientConnection arg(String raw) {
    args.add(raw);
    return this;
  }

  public List<String> args() {
    return List.copyOf(args);
  }

  @Override
  public String toString() {
    return String.join(" ", args).replaceAll("--password=\\S+", "--password=***");
  }
}
