/**
 * The provisioner library: everything needed to stand up a hardened Strongroom database instance
 * without Quarkus. {@link dev.strongroom.provisioner.pki} issues the CA, server and client
 * certificates and the CRL; {@link dev.strongroom.provisioner.atrest} writes the at-rest keyring;
 * {@link dev.strongroom.provisioner.db} renders the server option file per dialect, runs a private
 * MariaDB instance and applies the X.509-pinned accounts.
 */
package dev.strongroom.provisioner;
