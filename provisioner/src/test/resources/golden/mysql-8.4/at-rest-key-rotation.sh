# plan
[ -S '/srv/rehearsal/var/lib/strongroom/db/run/mysqld.sock' ]
cat '/srv/rehearsal/var/lib/strongroom/db/at-rest-rotated' 2>/dev/null || true
# apply
[ -S '/srv/rehearsal/var/lib/strongroom/db/run/mysqld.sock' ]
cat '/srv/rehearsal/var/lib/strongroom/db/at-rest-rotated' 2>/dev/null || true
set -e; mysql --protocol=socket --socket='/srv/rehearsal/var/lib/strongroom/db/run/mysqld.sock' --user="$(id -un)" --batch --skip-column-names -e 'ALTER INSTANCE ROTATE INNODB MASTER KEY; ALTER INSTANCE ROTATE BINLOG MASTER KEY'; m='/srv/rehearsal/var/lib/strongroom/db/at-rest-rotated'; printf '%s\n' '2026-12-05T10:00:00Z' > "$m.tmp"; chmod 0644 "$m.tmp"; mv -f -- "$m.tmp" "$m"
cat '/srv/rehearsal/var/lib/strongroom/db/at-rest-rotated' 2>/dev/null || true
