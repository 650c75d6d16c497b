package dev.strongroom.provisioner.pki;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One client certificate to keep issued: its name (the certificate's CN, the file name and, for a
 * database identity, the account name) and its kind.
 */
public record ClientSpec(String name, ClientKind kind) {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_\\-]{0,31}");

  public ClientSpec {
    Objects.requireNonNull(kind, "kind");
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "client name must match " + NAME.pattern() + " (it names files and accounts): " + name);
    }
  }
}
