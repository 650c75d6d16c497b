-- reload TLS files without a restart
ALTER INSTANCE RELOAD TLS;
-- rotate at-rest master keys
ALTER INSTANCE ROTATE INNODB MASTER KEY;
ALTER INSTANCE ROTATE BINLOG MASTER KEY;
-- once after initialising the data directory
ALTER TABLESPACE mysql ENCRYPTION = 'Y';
