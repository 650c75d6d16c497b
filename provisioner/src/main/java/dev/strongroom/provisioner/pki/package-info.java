/**
 * The installation's X.509 PKI: an ECDSA P-256 CA, the database server certificate, client
 * certificates for database identities, services and the operator, and the CRL — kept on disk by
 * {@link dev.strongroom.provisioner.pki.PkiDirectory}, idempotently.
 */
package dev.strongroom.provisioner.pki;
