/**
 * C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint): the checkpoint body codec and signed checkpoints
 * ({@link dev.strongroom.audit.checkpoint.Checkpoint}), DESIGN §5.
 */
package dev.strongroom.audit.checkpoint;
