/**
 * Event signing keys: Ed25519 keys, the key id of DESIGN §3, and the key registry that says which
 * key may sign what, when.
 */
package dev.strongroom.contracts.keys;
