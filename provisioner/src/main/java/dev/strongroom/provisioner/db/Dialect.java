package dev.strongroom.provisioner.db;

/**
 * The database server families Strongroom renders configuration for. {@link #id()} is the value of
 * {@code db.dialect} in {@code .strongroom/stack.json} (DESIGN §7).
 */
public enum Dialect {
  /** MariaDB 10.11 LTS: runs on this machine; every line is exercised by the ITs. */
  MARIADB_10_11("mariadb-10.11"),
  /** MySQL 8.4 LTS community: the production target; rendering is checked by golden files only. */
  MYSQL_8_4("mysql-8.4");

  private final String id;

  Dialect(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  public static Dialect fromId(String id) {
    for (Dialect d : values()) {
      if (d.id.equals(id)) {
        return d;
      }
    }
    throw new IllegalArgumentException("unknown dialect '" + id + "' (mariadb-10.11 or mysql-8.4)");
  }
}
