/**
 * C2SP signed notes (c2sp.org/signed-note): parsing and encoding ({@link
 * dev.strongroom.audit.note.Notes}), Ed25519 signatures and verifier keys ({@link
 * dev.strongroom.audit.note.Ed25519NoteSigner}, {@link
 * dev.strongroom.audit.note.Ed25519NoteVerifier}) and witness cosignatures
 * (c2sp.org/tlog-cosignature {@code cosignature/v1}: {@link
 * dev.strongroom.audit.note.CosignatureV1Signer}, {@link
 * dev.strongroom.audit.note.CosignatureV1Verifier}). Ed25519 is the JDK's.
 */
package dev.strongroom.audit.note;
