/**
 * Provisioning plans: a {@link dev.strongroom.provisioner.host.plan.Target} ({@code local} or
 * {@code ssh://user@host[:port]}), a {@link dev.strongroom.provisioner.host.plan.HostShell} to run
 * commands there (SSH through Apache MINA SSHD: pinned host key, public-key authentication only),
 * and a {@link dev.strongroom.provisioner.host.plan.HostPlan} (the hardening bundle) or a {@link
 * dev.strongroom.provisioner.host.plan.CertificatePlan} (the host's certificates issued or rotated
 * from the provisioner's PKI, installed, the database's TLS reloaded) of steps that each check,
 * then apply only what differs — so a second run changes nothing and says so.
 */
package dev.strongroom.provisioner.host.plan;
