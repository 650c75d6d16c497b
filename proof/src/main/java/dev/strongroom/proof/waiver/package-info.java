/** Signed, expiring waivers of controls ({@code prove --waivers FILE}). */
package dev.strongroom.proof.waiver;
