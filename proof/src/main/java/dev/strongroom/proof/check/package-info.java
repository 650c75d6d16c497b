/** The check SPI: a control, the check that attacks or measures it, its outcome and evidence. */
package dev.strongroom.proof.check;
