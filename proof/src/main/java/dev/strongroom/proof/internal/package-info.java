/** Not API: helpers of the proof library. */
package dev.strongroom.proof.internal;
