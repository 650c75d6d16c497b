/**
 * The database server: option-file rendering per {@link dev.strongroom.provisioner.db.Dialect}, a
 * private MariaDB 10.11 instance run as a child process ({@link
 * dev.strongroom.provisioner.db.MariaDbInstance}), the X.509-pinned accounts, and the stock {@code
 * mariadb} client used to talk to it.
 */
package dev.strongroom.provisioner.db;
