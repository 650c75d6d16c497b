/**
 * The proc-only schema of DESIGN §4: data schema {@code strongroom}, security schema {@code
 * strongroom_security}, the locked routine owner {@code api_definer}, the identities' grants,
 * tenant binding by token verified inside the database, and the installer that applies it
 * (docs/schema.md).
 */
package dev.strongroom.provisioner.schema;
