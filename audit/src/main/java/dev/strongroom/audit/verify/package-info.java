/**
 * {@code verify-audit}: the anchored log in the WORM store and the database's chain checked against
 * the log key, offline (DESIGN §5).
 */
package dev.strongroom.audit.verify;
