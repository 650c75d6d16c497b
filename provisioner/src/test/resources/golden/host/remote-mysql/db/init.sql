-- Rendered by Strongroom's HostBundleRenderer; do not edit.
-- Run by the strongroom-db unit at every start (mysqld --init-file), before the server
-- accepts connections: root@localhost logs in over the socket only, as the OS user root.
ALTER USER 'root'@'localhost' IDENTIFIED WITH auth_socket;
