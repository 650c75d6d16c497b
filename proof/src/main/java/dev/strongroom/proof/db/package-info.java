/**
 * The database controls: each attacks the target database the way an intruder would (plaintext, TLS
 * 1.2, foreign certificates, base-table DML, forged tenant tokens, audit rewrites) through the
 * stock {@code mariadb} client and {@code openssl s_client}, and keeps every command and answer.
 */
package dev.strongroom.proof.db;
