/** A proof run as OSCAL 1.1.3 assessment plan and assessment results (JSON). */
package dev.strongroom.proof.oscal;
