#!/bin/sh
# Rendered by Strongroom's HostBundleRenderer; do not edit.
# The nftables rules' equivalent for hosts that manage their firewall with ufw.
# Use one or the other, never both. Review, then run as root.
set -eu
ufw --force reset
ufw default deny incoming
ufw default deny routed
ufw default allow outgoing
ufw limit proto tcp from any to any port 22 comment 'strongroom ssh'
ufw logging low
ufw --force enable
