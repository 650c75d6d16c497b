/**
 * Internal to the backup library (no other module may import it): the dump scanner, the part cipher
 * and the piped tool runner.
 */
package dev.strongroom.backup.internal;
