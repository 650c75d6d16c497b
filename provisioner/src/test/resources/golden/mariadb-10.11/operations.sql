-- reload TLS files without a restart
FLUSH SSL;
-- rotate at-rest master keys
-- once after initialising the data directory
