/** Encryption-at-rest key material for MariaDB's {@code file_key_management} plugin. */
package dev.strongroom.provisioner.atrest;
