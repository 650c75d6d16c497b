# Prints the data-table audit triggers of 05-audit.sql (one pattern for every table): run it after a data table
# gains a column or a table is added, paste the output over the trigger section, and let AuditChainIT prove it.
# Usage: python3 provisioner/tools/gen_audit_triggers.py
TABLES = {
  'tenants': ('tenant_id', None, [('created_at','dt',False),('tenant_id','text',False)], 'tenant_id'),
  'data_keys': ('dek_id', None, [('created_at','dt',False),('dek_id','text',False),('kms_key_name','text',False),
      ('kms_key_version','text',False),('pq_alg','text',True),('pq_wrapped_dek','bin',True),('tenant_id','text',False),
      ('wrapped_dek','bin',False)], 'tenant_id'),
  'users': ('record_id', 'request_id', [('created_at','dt',False),('dek_id','text',False),('email_ct','bin',True),
      ('email_iv','bin',True),('name_ct','bin',False),('name_iv','bin',False),('phone_ct','bin',True),('phone_iv','bin',True),
      ('record_id','text',False),('request_id','text',False),('role_ct','bin',True),('role_iv','bin',True),
      ('tenant_id','text',False)], 'tenant_id'),
  'record_decrypts': ('decrypt_id', None, [('decrypt_id','int',False),('decrypted_at','dt',False),('reader','text',False),
      ('record_id','text',False),('tenant_id','text',False)], 'tenant_id'),
}
def val(r, c, kind, nullable):
    x = f'{r}.{c}'
    if kind == 'text': e = f'JSON_QUOTE({x})'
    elif kind == 'bin': e = f"""CONCAT('"', LOWER(HEX({x})), '"')"""
    elif kind == 'dt': e = f"""CONCAT('"', DATE_FORMAT({x}, '%Y-%m-%d %H:%i:%s.%f'), '"')"""
    elif kind == 'int': e = f"""CONCAT('"', {x}, '"')"""
    # NOT NULL columns are not IFNULL'd (measured ~2% of audited throughput): if a migration made one nullable and
    # NULL, the image would be NULL, and the UPDATE trigger's <=> still records the event (with that NULL image)
    return f"IFNULL({e}, 'null')" if nullable else e
def image(r, cols, indent):
    parts = []
    for i, (c, k, n) in enumerate(cols):
        sep = '{' if i == 0 else ','
        parts.append(f"""'{sep}"{c}":', {val(r, c, k, n)}""")
    return 'CONCAT(' + (',\n' + indent).join(parts) + ", '}')"
def pk(r, name):
    kind = 'int' if name == 'decrypt_id' else 'text'
    return f"""CONCAT('{{"{name}":', {val(r, name, kind, False)}, '}}')"""
out = []
for t, (key, req, cols, ten) in TABLES.items():
    ind = '      '
    ins = lambda op, r, before, after: (
f"""  INSERT INTO strongroom_audit.audit_events (event_time, db_user, current_usr, tenant_id, operation, table_name,
                                             primary_key, before_image, after_image, request_id)
  VALUES (UTC_TIMESTAMP(6), USER(), CURRENT_USER(), {r}.{ten}, '{op}', '{t}', {pk(r, key)},
    {before},
    {after},
    {f'{r}.{req}' if req else 'NULL'})""")
    out.append(f"""CREATE OR REPLACE DEFINER = 'audit_definer'@'localhost' TRIGGER strongroom.{t}_audit_insert
  AFTER INSERT ON strongroom.{t} FOR EACH ROW
{ins('INSERT', 'NEW', 'NULL', image('NEW', cols, ind))}$$""")
    out.append(f"""CREATE OR REPLACE DEFINER = 'audit_definer'@'localhost' TRIGGER strongroom.{t}_audit_update
  AFTER UPDATE ON strongroom.{t} FOR EACH ROW
BEGIN
  DECLARE v_before LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT
    {image('OLD', cols, ind)};
  DECLARE v_after LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT
    {image('NEW', cols, ind)};
  IF NOT (v_before <=> v_after) THEN
  {ins('UPDATE', 'NEW', 'v_before', 'v_after').replace(chr(10), chr(10) + '  ')};
  END IF;
END$$""")
    out.append(f"""CREATE OR REPLACE DEFINER = 'audit_definer'@'localhost' TRIGGER strongroom.{t}_audit_delete
  AFTER DELETE ON strongroom.{t} FOR EACH ROW
{ins('DELETE', 'OLD', image('OLD', cols, ind), 'NULL')}$$""")
print('\n\n'.join(out))
