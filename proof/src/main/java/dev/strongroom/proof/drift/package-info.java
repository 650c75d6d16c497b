/** Drift between runs: the controls whose status changed since an earlier, verified bundle. */
package dev.strongroom.proof.drift;
