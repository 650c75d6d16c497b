/** The {@code strongroom} command: subcommands, options and exit codes (DESIGN §7). */
package dev.strongroom.devstack.cli;
