/**
 * The scheduled backup, free of Quarkus: when the next backup is due ({@link
 * dev.strongroom.auditanchor.backup.BackupSchedule}) and one run of the backup library with its
 * outcome — a verified manifest, or a typed BACKUP_FAILED alert ({@link
 * dev.strongroom.auditanchor.backup.ScheduledBackup}). docs/backups.md, docs/runbook-backup.md.
 */
package dev.strongroom.auditanchor.backup;
