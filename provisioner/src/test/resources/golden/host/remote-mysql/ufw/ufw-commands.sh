#!/bin/sh
# Rendered by Strongroom's HostBundleRenderer; do not edit.
# The nftables rules' equivalent for hosts that manage their firewall with ufw.
# Use one or the other, never both. Review, then run as root.
set -eu
ufw --force reset
ufw default deny incoming
ufw default deny routed
ufw default allow outgoing
ufw limit proto tcp from any to any port 2222 comment 'strongroom ssh'
ufw allow proto tcp from 10.20.0.0/16 to any port 3406 comment 'strongroom db'
ufw allow proto tcp from 192.0.2.0/24 to any port 3406 comment 'strongroom db'
ufw allow proto tcp from 2001:db8:42::/48 to any port 3406 comment 'strongroom db'
ufw logging low
ufw --force enable
