/**
 * Encrypted, signed backups of the data, security and audit schemas with their binary logs, written
 * create-only to the WORM store; restore (also to a point in time) into a fresh hardened instance;
 * and the restore drill that proves a restore whole and its history unbroken ({@code
 * docs/backups.md}).
 */
package dev.strongroom.backup;
