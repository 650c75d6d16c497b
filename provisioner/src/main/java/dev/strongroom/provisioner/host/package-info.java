/**
 * The host-hardening bundle: what a Strongroom host needs beside the database and the services —
 * firewall (nftables, and the ufw equivalent), fail2ban jails and filters, systemd units and the
 * audit-verification timer, sysctl settings, the service users and the ownership and modes of keys
 * and configs — rendered from {@link dev.strongroom.provisioner.host.HostOptions} by {@link
 * dev.strongroom.provisioner.host.HostBundleRenderer} as plain files for review. Each artefact is
 * checked in the tests by its own tool (docs/ops-plane.md).
 */
package dev.strongroom.provisioner.host;
