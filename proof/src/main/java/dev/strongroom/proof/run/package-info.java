/** Running a catalogue against a target: context, runner, the run's report. */
package dev.strongroom.proof.run;
