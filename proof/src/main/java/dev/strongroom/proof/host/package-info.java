/**
 * Host controls: firewall, fail2ban, mandatory access control, FIPS, run on a {@link
 * dev.strongroom.proof.host.HostTarget} (this machine, or an SSH target through the provisioner's
 * client, under the root the host bundle was applied under). They apply only on a target the
 * host-hardening bundle provisioned; anywhere else they are NOT_APPLICABLE with that reason.
 */
package dev.strongroom.proof.host;
