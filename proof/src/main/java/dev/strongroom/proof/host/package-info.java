/**
 * Host controls: firewall, fail2ban, mandatory access control, FIPS. They apply only on a host the
 * host-hardening bundle provisioned; anywhere else they are NOT_APPLICABLE with that reason.
 */
package dev.strongroom.proof.host;
