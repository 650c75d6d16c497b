/**
 * Test support shared with other modules' tests through the proof module's test-jar: NIST's OSCAL
 * checks of a bundle's {@code oscal/*.json} ({@link dev.strongroom.proof.testing.NistOscal}). It
 * lives with the tests, not in the library, because NIST's liboscal-java is a test dependency only
 * (docs/decisions.md).
 */
package dev.strongroom.proof.testing;
