/**
 * A minimal c2sp.org/tlog-witness: the {@link dev.strongroom.audit.witness.Witness} library, its
 * HTTP process ({@link dev.strongroom.audit.witness.WitnessServer}) and the log's client ({@link
 * dev.strongroom.audit.witness.WitnessClient}).
 */
package dev.strongroom.audit.witness;
