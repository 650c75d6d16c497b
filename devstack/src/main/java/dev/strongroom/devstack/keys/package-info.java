/**
 * Development keys: event signing keys and registry, tenant-token key, sealing key, dev keyring and
 * PQ recovery key, written with owner-only modes.
 */
package dev.strongroom.devstack.keys;
