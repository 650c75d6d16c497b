DROP EVENT IF EXISTS strongroom_audit.audit_sealer;
CREATE DEFINER = 'audit_definer'@'localhost' EVENT strongroom_audit.audit_sealer ON SCHEDULE EVERY 30 SECOND ON COMPLETION PRESERVE ENABLE DO CALL strongroom_audit.audit_seal(10000);
SET GLOBAL event_scheduler = ON;
DROP EVENT IF EXISTS strongroom_audit.audit_sealer;
