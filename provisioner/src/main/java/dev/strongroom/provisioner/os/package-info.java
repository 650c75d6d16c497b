/**
 * What the ops plane does on a host, shared by every module that provisions or starts something:
 * {@link dev.strongroom.provisioner.os.SecureFiles} (files created with their final mode, written
 * atomically), {@link dev.strongroom.provisioner.os.Processes} (run a program to completion) and
 * {@link dev.strongroom.provisioner.os.LoopbackPorts} (free loopback ports). One copy of each.
 */
package dev.strongroom.provisioner.os;
