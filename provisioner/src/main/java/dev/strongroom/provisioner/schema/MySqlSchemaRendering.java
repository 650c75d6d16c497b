package dev.strongroom.provisioner.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The MySQL 8.4 form of a schema script written for MariaDB 10.11: a fixed list of exact rewrites,
 * then refusal of everything else that is known to be MariaDB-only or to mean something else on
 * MySQL. docs/schema.md ("MySQL 8.4 rendering") gives the reason and the source for each rule.
 *
 * <p>Rewrites, in order, per statement:
 *
 * <ol>
 *   <li>{@code IDENTIFIED VIA unix_socket} → {@code IDENTIFIED WITH auth_socket} (the locked
 *       definers; the rendered option file loads {@code auth_socket.so}).
 *   <li>{@code CHARACTER SET utf8mb4} without a {@code COLLATE} → {@code … COLLATE
 *       utf8mb4_general_ci}: MariaDB 10.11's default collation of utf8mb4; MySQL 8.4's is {@code
 *       utf8mb4_0900_ai_ci} (NO PAD, accent-insensitive), which would change every comparison of an
 *       undeclared-collation parameter.
 *   <li>{@code CAST(x AS BINARY) REGEXP 'p'} → {@code REGEXP_LIKE(x, 'p', 'cu')}: MySQL's ICU
 *       engine refuses a binary subject against a text pattern; {@code c} keeps the match
 *       case-sensitive and {@code u} (UNIX_LINES) makes {@code $} match before a final {@code \n}
 *       only, as PCRE's does. Only patterns whose every atom is ASCII are accepted, so byte-wise
 *       (MariaDB) and code-point-wise (MySQL) matching agree.
 *   <li>{@code JSON_QUOTE(e)} → {@link #jsonString}: MySQL writes a backslash, {@code u00} and
 *       lower-case hex digits, MariaDB (and the audit payload specification) upper-case; the
 *       replacement builds MariaDB's bytes from {@code REPLACE} alone.
 *   <li>{@code CREATE OR REPLACE [DEFINER = u] FUNCTION|PROCEDURE|EVENT n} → {@code DROP … IF
 *       EXISTS n} then {@code CREATE …}; for a {@code TRIGGER t … ON tbl}, both inside {@code LOCK
 *       TABLES tbl WRITE} … {@code UNLOCK TABLES}, so no write to {@code tbl} runs between the drop
 *       and the create (an audit trigger must never be missing for a committed write). {@code
 *       CREATE OR REPLACE … VIEW} is MySQL syntax and stays.
 * </ol>
 */
final class MySqlSchemaRendering {
  /** MariaDB 10.11's default collation of utf8mb4; written out so MySQL compares the same way. */
  static final String MARIADB_UTF8MB4_DEFAULT_COLLATION = "utf8mb4_general_ci";

  private static final int CI = Pattern.CASE_INSENSITIVE;
  private static final String NAME = "[A-Za-z0-9_$]+(?:\\.[A-Za-z0-9_$]+)?";
  private static final String DEFINER =
      "DEFINER\\s*=\\s*(?:'[^']*'@'[^']*'|CURRENT_USER(?:\\s*\\(\\s*\\))?)";

  private static final Pattern CREATE_OR_REPLACE =
      Pattern.compile("CREATE\\s+OR\\s+REPLACE\\s+", CI);
  private static final Pattern VIEW_HEADER =
      Pattern.compile(
          "CREATE\\s+OR\\s+REPLACE\\s+(?:ALGORITHM\\s*=\\s*\\w+\\s+)?(?:"
              + DEFINER
              + "\\s+)?(?:SQL\\s+SECURITY\\s+\\w+\\s+)?VIEW\\b",
          CI);
  private static final Pattern ROUTINE_HEADER =
      Pattern.compile(
          "CREATE\\s+OR\\s+REPLACE\\s+(?:"
              + DEFINER
              + "\\s+)?(FUNCTION|PROCEDURE|TRIGGER|EVENT)\\s+("
              + NAME
              + ")",
          CI);
  private static final Pattern TRIGGER_TABLE =
      Pattern.compile(
          "\\s+(?:BEFORE|AFTER)\\s+(?:INSERT|UPDATE|DELETE)\\s+ON\\s+(" + NAME + ")\\b", CI);
  private static final Pattern LEFTOVER_CREATE_OR_REPLACE =
      Pattern.compile(
          "\\bCREATE\\s+OR\\s+REPLACE\\b(?!\\s+(?:ALGORITHM\\s*=\\s*\\w+\\s+)?(?:"
              + DEFINER
              + "\\s+)?(?:SQL\\s+SECURITY\\s+\\w+\\s+)?VIEW\\b)",
          CI);

  private static final Pattern VIA_UNIX_SOCKET =
      Pattern.compile("\\bIDENTIFIED\\s+VIA\\s+unix_socket\\b", CI);
  private static final Pattern UTF8MB4 =
      Pattern.compile("\\b(?:CHARACTER\\s+SET|CHARSET)(?:\\s*=\\s*|\\s+)utf8mb4\\b", CI);
  private static final Pattern COLLATE_NEXT = Pattern.compile("\\s+COLLATE\\b", CI);
  private static final Pattern BINARY_REGEXP =
      Pattern.compile(
          "CAST\\s*\\(\\s*([A-Za-z_][A-Za-z0-9_]*)\\s+AS\\s+BINARY\\s*\\)\\s+REGEXP\\s+'", CI);
  private static final Pattern REGEXP_ANY =
      Pattern.compile("\\b(?:REGEXP|RLIKE|REGEXP_[A-Z]+)\\b", CI);
  private static final Pattern JSON_QUOTE = Pattern.compile("\\bJSON_QUOTE\\s*\\(", CI);
  private static final Pattern USING_UTF8MB4_UNCOLLATED =
      Pattern.compile("\\bUSING\\s+utf8mb4\\s*\\)(?!\\s*COLLATE\\b)", CI);
  private static final Pattern MESSAGE_TEXT = Pattern.compile("\\bMESSAGE_TEXT\\s*=\\s*", CI);
  private static final Pattern LOCK_FUNCTION =
      Pattern.compile("\\b(?:GET_LOCK|RELEASE_LOCK|IS_USED_LOCK|IS_FREE_LOCK)\\s*\\(\\s*'", CI);
  private static final Pattern WORD =
      Pattern.compile("(?<![.\\w$])([A-Za-z_][A-Za-z0-9_]*)\\b(?!\\s*\\()");

  /** MySQL refuses a SIGNAL message longer than this under a strict sql_mode (1648). */
  static final int MYSQL_MESSAGE_TEXT_MAX = 128;

  /** MySQL refuses a user-level lock name longer than this. */
  static final int MYSQL_LOCK_NAME_MAX = 64;

  /**
   * Reserved words of MySQL 8.0 that MariaDB 10.11 accepts as identifiers (docs: "Keywords and
   * Reserved Words in MySQL 8.0", entries marked "added in 8.0 (reserved)"). A guard, not a proof:
   * a word followed by {@code (} (a function call) is not flagged.
   */
  static final Set<String> MYSQL_ONLY_RESERVED =
      Set.of(
          "CUBE",
          "CUME_DIST",
          "DENSE_RANK",
          "EMPTY",
          "EXCEPT",
          "FIRST_VALUE",
          "GROUPING",
          "GROUPS",
          "JSON_TABLE",
          "LAG",
          "LAST_VALUE",
          "LATERAL",
          "LEAD",
          "NTH_VALUE",
          "NTILE",
          "OF",
          "OVER",
          "PERCENT_RANK",
          "RANK",
          "RECURSIVE",
          "ROWS",
          "ROW_NUMBER",
          "SYSTEM",
          "WINDOW");

  /** A construct the rendering refuses, and why. */
  record Refused(Pattern pattern, String why) {
    static Refused of(String regex, String why) {
      return new Refused(Pattern.compile(regex, CI | Pattern.DOTALL), why);
    }
  }

  /**
   * MariaDB-only constructs (or ones MySQL 8.4 reads differently) with no rewrite here. Checked on
   * every source statement (comments and literals excluded).
   */
  static final List<Refused> REFUSED =
      List.of(
          Refused.of(
              "\\bIDENTIFIED\\s+VIA\\s+(?!unix_socket\\b)\\w+",
              "an authentication plugin other than unix_socket (IDENTIFIED VIA)"),
          Refused.of(
              "\\bIDENTIFIED\\s+VIA\\s+unix_socket\\s+OR\\b",
              "an authentication chain (IDENTIFIED VIA … OR …)"),
          Refused.of("\\bPASSWORD\\s*\\(", "PASSWORD() (removed in MySQL 8.0)"),
          Refused.of(
              "\\bJSON_(?:COMPACT|DETAILED|LOOSE|EXISTS|QUERY|VALUE|EQUALS|NORMALIZE|ARRAY_INTERSECT|OBJECT_FILTER_KEYS|OBJECT_TO_ARRAY|KEY_VALUE)\\s*\\(",
              "a MariaDB JSON function (absent from MySQL 8.4, or JSON_VALUE with different semantics)"),
          Refused.of(
              "\\b(?:NEXTVAL|LASTVAL|SETVAL)\\s*\\(|\\b(?:NEXT|PREVIOUS)\\s+VALUE\\s+FOR\\b|\\bCREATE\\s+SEQUENCE\\b",
              "a SEQUENCE"),
          Refused.of("\\bSET\\s+STATEMENT\\b", "SET STATEMENT … FOR"),
          Refused.of("\\bRETURNING\\b", "INSERT/DELETE … RETURNING"),
          Refused.of(
              "\\bSYSTEM\\s+VERSIONING\\b|\\bFOR\\s+SYSTEM_TIME\\b|\\bPERIOD\\s+FOR\\b|\\bDELETE\\s+HISTORY\\b",
              "system-versioned or application-time tables"),
          Refused.of(
              "\\bENGINE\\s*=\\s*Aria\\b|\\bENCRYPTED\\s*=|\\bENCRYPTION_KEY_ID\\b|\\bPAGE_CHECKSUM\\b|\\bTRANSACTIONAL\\s*=",
              "a MariaDB table option"),
          Refused.of(
              "\\bINET[46]\\b|\\bUUID\\b(?!\\s*\\()", "a MariaDB data type (INET4, INET6, UUID)"),
          Refused.of(
              "\\b(?:SFORMAT|NATURAL_SORT_KEY|CHR|DECODE_ORACLE|ROWNUM|SYS_GUID|TO_CHAR|KDF)\\s*\\(",
              "a MariaDB-only function"),
          Refused.of(
              "\\bCREATE\\s+(?:" + DEFINER + "\\s+)?AGGREGATE\\s+FUNCTION\\b",
              "a stored aggregate function"),
          Refused.of(
              "\\bPACKAGE\\b|%\\s*(?:ROW)?TYPE\\b|\\bTYPE\\s+OF\\b|\\bEXECUTE\\s+IMMEDIATE\\b|\\bFOR\\s+[A-Za-z_]\\w*\\s+IN\\b",
              "MariaDB stored-program syntax (packages, %TYPE, TYPE OF, EXECUTE IMMEDIATE, FOR … IN loops)"),
          Refused.of(
              "\\bmysql\\s*\\.\\s*global_priv\\b",
              "mysql.global_priv (MySQL keeps accounts in mysql.user)"),
          Refused.of(
              "\\bNO_AUTO_CREATE_USER\\b", "sql_mode NO_AUTO_CREATE_USER (removed in MySQL 8.0)"),
          Refused.of(
              "\\bFLUSH\\s+SSL\\b|\\bSHUTDOWN\\s+WAIT\\b|\\bKILL\\s+(?:HARD\\s+|SOFT\\s+)?QUERY\\s+ID\\b|\\bLIMIT\\s+ROWS\\s+EXAMINED\\b",
              "a MariaDB administrative form"),
          Refused.of(
              "\\bADD\\s+(?:COLUMN\\s+|INDEX\\s+|KEY\\s+|UNIQUE\\s+(?:INDEX\\s+|KEY\\s+)?|CONSTRAINT\\s+|FOREIGN\\s+KEY\\s+|PARTITION\\s+)?IF\\s+NOT\\s+EXISTS\\b"
                  + "|\\bCREATE\\s+(?:UNIQUE\\s+|FULLTEXT\\s+|SPATIAL\\s+)?INDEX\\s+IF\\s+NOT\\s+EXISTS\\b"
                  + "|\\bDROP\\s+(?:COLUMN|INDEX|KEY|FOREIGN\\s+KEY|CONSTRAINT|PRIMARY\\s+KEY|PARTITION)\\s+IF\\s+EXISTS\\b"
                  + "|\\b(?:MODIFY|CHANGE)\\s+(?:COLUMN\\s+)?IF\\s+EXISTS\\b|\\bVIEW\\s+IF\\s+NOT\\s+EXISTS\\b",
              "IF [NOT] EXISTS on a column, index, constraint, partition or view (MariaDB only)"),
          Refused.of(
              "\\bON\\s+DUPLICATE\\s+KEY\\s+UPDATE\\b[^;]*\\bVALUES\\s*\\(",
              "VALUES() in ON DUPLICATE KEY UPDATE (deprecated since MySQL 8.0.20)"),
          Refused.of("`", "a back-quoted identifier (the rewrites match plain identifiers only)"),
          Refused.of("/\\*M?!", "an executable comment"),
          Refused.of(
              "\\b_utf8mb4\\b",
              "a _utf8mb4 introducer (its collation is the charset default, which differs)"),
          Refused.of(
              "\\bAS\\s+N?(?:VAR)?CHAR(?:\\s*\\(\\s*\\d+\\s*\\))?\\s+(?:CHARACTER\\s+SET|CHARSET)\\s+utf8mb4\\b",
              "CAST … AS CHAR CHARACTER SET utf8mb4 (its collation is the charset default, which differs)"));

  /** Left after rendering means a rewrite is missing: the rendering fails rather than emit it. */
  static final List<Refused> MUST_NOT_REMAIN =
      List.of(
          new Refused(
              LEFTOVER_CREATE_OR_REPLACE, "CREATE OR REPLACE (MySQL 8.4 has it for views only)"),
          Refused.of("\\bIDENTIFIED\\s+VIA\\b|\\bunix_socket\\b", "IDENTIFIED VIA unix_socket"),
          Refused.of(
              "\\bJSON_QUOTE\\s*\\(",
              "JSON_QUOTE (MySQL escapes control characters in lower-case hex)"),
          Refused.of(
              "\\bAS\\s+BINARY\\s*\\)\\s*(?:NOT\\s+)?(?:REGEXP|RLIKE)\\b",
              "REGEXP on CAST(… AS BINARY) (MySQL 8.0.22+ refuses binary subjects)"));

  private MySqlSchemaRendering() {}

  /** The MySQL 8.4 form of {@code script}; {@code name} appears in every refusal. */
  static String render(String name, String script) {
    StringBuilder out = new StringBuilder(script.length() + script.length() / 2);
    for (SqlText.Segment s : SqlText.split(script)) {
      if (s.kind() == SqlText.Kind.STATEMENT) {
        Where where = new Where(name, script, s.offset());
        out.append(statement(where, s.text(), s.delimiter())).append(s.delimiter());
      } else {
        out.append(s.text());
      }
    }
    String rendered = out.toString();
    for (SqlText.Segment s : SqlText.split(rendered)) {
      if (s.kind() != SqlText.Kind.STATEMENT) {
        continue;
      }
      String m = SqlText.mask(s.text());
      for (List<Refused> list : List.of(MUST_NOT_REMAIN, REFUSED)) {
        for (Refused r : list) {
          Matcher x = r.pattern().matcher(m);
          if (x.find()) {
            throw new SchemaDialectException(
                "MySQL 8.4 rendering of "
                    + name
                    + " still holds "
                    + r.why()
                    + " at rendered line "
                    + SqlText.line(rendered, s.offset() + x.start())
                    + ": "
                    + snippet(s.text(), x.start()));
          }
        }
      }
    }
    return rendered;
  }

  private static String statement(Where where, String text, String delimiter) {
    check(where, text);
    String m = SqlText.mask(text);
    int body = 0;
    while (body < m.length() && Character.isWhitespace(m.charAt(body))) {
      body++;
    }
    String rendered = text.substring(body);
    rendered = replace(rendered, VIA_UNIX_SOCKET, x -> "IDENTIFIED WITH auth_socket");
    rendered = collations(rendered);
    rendered = regexps(where.at(body), rendered);
    rendered = jsonQuotes(rendered);
    return text.substring(0, body) + createOrReplace(where.at(body), rendered, delimiter);
  }

  /** Refusals on one source statement. */
  private static void check(Where where, String text) {
    String m = SqlText.mask(text);
    for (Refused r : REFUSED) {
      Matcher x = r.pattern().matcher(m);
      if (x.find()) {
        throw where.at(x.start()).refuse(r.why(), text, x.start());
      }
    }
    Matcher using = USING_UTF8MB4_UNCOLLATED.matcher(m);
    if (using.find()) {
      throw where
          .at(using.start())
          .refuse(
              "CONVERT(… USING utf8mb4) without COLLATE (its collation is the charset default, which differs;"
                  + " write COLLATE utf8mb4_bin after it)",
              text,
              using.start());
    }
    int supported = 0;
    Matcher cast = BINARY_REGEXP.matcher(m);
    while (cast.find()) {
      supported++;
    }
    int all = 0;
    int first = -1;
    Matcher any = REGEXP_ANY.matcher(m);
    while (any.find()) {
      all++;
      first = first < 0 ? any.start() : first;
    }
    if (all != supported) {
      throw where
          .at(first)
          .refuse(
              "a regular expression other than CAST(<name> AS BINARY) REGEXP '<literal>'"
                  + " (PCRE and ICU differ; write that form or add a rule)",
              text,
              first);
    }
    Matcher msg = MESSAGE_TEXT.matcher(m);
    while (msg.find()) {
      int q = msg.end();
      if (q >= m.length() || m.charAt(q) != '\'') {
        throw where
            .at(msg.start())
            .refuse(
                "a MESSAGE_TEXT that is not a literal (MySQL caps it at "
                    + MYSQL_MESSAGE_TEXT_MAX
                    + " characters)",
                text,
                msg.start());
      }
      String value = literal(text, m, q);
      if (value.codePointCount(0, value.length()) > MYSQL_MESSAGE_TEXT_MAX) {
        throw where
            .at(msg.start())
            .refuse(
                "a MESSAGE_TEXT of "
                    + value.codePointCount(0, value.length())
                    + " characters (MySQL refuses more than "
                    + MYSQL_MESSAGE_TEXT_MAX
                    + " under a strict sql_mode: 1648)",
                text,
                msg.start());
      }
    }
    Matcher lock = LOCK_FUNCTION.matcher(m);
    while (lock.find()) {
      String value = literal(text, m, lock.end() - 1);
      if (value.length() > MYSQL_LOCK_NAME_MAX) {
        throw where
            .at(lock.start())
            .refuse(
                "a user-level lock name of "
                    + value.length()
                    + " characters (MySQL refuses more than "
                    + MYSQL_LOCK_NAME_MAX
                    + ")",
                text,
                lock.start());
      }
    }
    Matcher w = WORD.matcher(m);
    while (w.find()) {
      if (MYSQL_ONLY_RESERVED.contains(w.group(1).toUpperCase(Locale.ROOT))) {
        throw where
            .at(w.start())
            .refuse(
                "the identifier " + w.group(1) + " (a reserved word in MySQL 8.0)",
                text,
                w.start());
      }
    }
  }

  private static String collations(String sql) {
    String m = SqlText.mask(sql);
    List<Integer> at = new ArrayList<>();
    Matcher x = UTF8MB4.matcher(m);
    while (x.find()) {
      Matcher next = COLLATE_NEXT.matcher(m).region(x.end(), m.length());
      if (!next.lookingAt()) {
        at.add(x.end());
      }
    }
    StringBuilder b = new StringBuilder(sql);
    for (int k = at.size() - 1; k >= 0; k--) {
      b.insert(at.get(k), " COLLATE " + MARIADB_UTF8MB4_DEFAULT_COLLATION);
    }
    return b.toString();
  }

  private static String regexps(Where where, String sql) {
    String m = SqlText.mask(sql);
    Matcher x = BINARY_REGEXP.matcher(m);
    StringBuilder b = new StringBuilder();
    int done = 0;
    while (x.find()) {
      int open = x.end() - 1;
      int close = m.indexOf('\'', open + 1);
      String pattern = sql.substring(open + 1, close);
      String problem = unsafeRegexp(pattern);
      if (problem != null) {
        throw where
            .at(x.start())
            .refuse("the pattern '" + pattern + "': " + problem, sql, x.start());
      }
      b.append(sql, done, x.start())
          .append("REGEXP_LIKE(")
          .append(x.group(1))
          .append(", '")
          .append(pattern)
          .append("', 'cu')");
      done = close + 1;
    }
    return b.append(sql.substring(done)).toString();
  }

  /**
   * Why {@code p} might match differently byte-wise under PCRE (MariaDB on a binary subject) and
   * code-point-wise under ICU (MySQL), or null if it cannot: optional {@code ^} first, optional
   * {@code $} last, and between them only ASCII atoms (letters, digits, {@code - _ : , = @ /}, or a
   * non-negated class of ASCII letters, digits and {@code - _ . : , = @ /}, without {@code --} and
   * not starting with {@code :}), each with an optional {@code ? + *} or {@code {n}}, {@code {n,}},
   * {@code {n,m}}.
   */
  static String unsafeRegexp(String p) {
    int i = p.startsWith("^") ? 1 : 0;
    int end = p.endsWith("$") ? p.length() - 1 : p.length();
    if (i > end) {
      return "empty";
    }
    while (i < end) {
      char c = p.charAt(i);
      if (c == '[') {
        int close = p.indexOf(']', i + 1);
        if (close < 0 || close >= end) {
          return "unclosed class";
        }
        String set = p.substring(i + 1, close);
        if (set.isEmpty() || set.startsWith("^")) {
          return "empty or negated class";
        }
        if (set.contains("--") || set.contains("&&")) {
          return "ICU set operators -- or && in a class";
        }
        if (set.startsWith(":")) {
          return "a POSIX class";
        }
        for (char s : set.toCharArray()) {
          if (!(s < 0x80 && Character.isLetterOrDigit(s)) && "-_.:,=@/".indexOf(s) < 0) {
            return "class member '" + s + "'";
          }
        }
        i = close + 1;
      } else if (Character.isLetterOrDigit(c) && c < 0x80 || "-_:,=@/".indexOf(c) >= 0) {
        i++;
      } else {
        return "atom '" + c + "'";
      }
      if (i < end && "?+*".indexOf(p.charAt(i)) >= 0) {
        i++;
      } else if (i < end && p.charAt(i) == '{') {
        int close = p.indexOf('}', i);
        if (close < 0 || close >= end || !p.substring(i + 1, close).matches("\\d+(,\\d*)?")) {
          return "bad repetition";
        }
        i = close + 1;
      }
    }
    return null;
  }

  private static String jsonQuotes(String sql) {
    int from = 0;
    while (true) {
      String m = SqlText.mask(sql);
      Matcher x = JSON_QUOTE.matcher(m);
      if (!x.find(from)) {
        return sql;
      }
      int close = closingParen(m, x.end() - 1);
      String arg = jsonQuotes(sql.substring(x.end(), close).strip());
      String replacement = jsonString(arg);
      sql = sql.substring(0, x.start()) + replacement + sql.substring(close + 1);
      from = x.start() + replacement.length();
    }
  }

  /**
   * An expression equal to MariaDB 10.11's {@code JSON_QUOTE(e)} for every utf8mb4 or ASCII string
   * {@code e} (and NULL for NULL) on both servers, built from {@code REPLACE} alone: backslash and
   * quote first, then the 32 control characters, {@code \b \t \n \f \r} by name and the others as
   * backslash, {@code u00} and upper-case hex digits. No replacement text holds a character a later
   * step replaces, so the order is exact. {@code AuditJsonNotRfc8785.quote} (the audit library's)
   * writes the same.
   */
  static String jsonString(String e) {
    String s = "CONVERT(" + e + " USING utf8mb4) COLLATE utf8mb4_bin";
    s = "REPLACE(" + s + ", '\\\\', '\\\\\\\\')";
    s = "REPLACE(" + s + ", '\"', '\\\\\"')";
    for (int c = 0; c < 0x20; c++) {
      String escape =
          switch (c) {
            case '\b' -> "\\\\b";
            case '\t' -> "\\\\t";
            case '\n' -> "\\\\n";
            case '\f' -> "\\\\f";
            case '\r' -> "\\\\r";
            default -> String.format(Locale.ROOT, "\\\\u%04X", c);
          };
      s = "REPLACE(" + s + ", CHAR(" + c + " USING utf8mb4), '" + escape + "')";
    }
    return "CONCAT('\"', " + s + ", '\"')";
  }

  private static String createOrReplace(Where where, String body, String delimiter) {
    String m = SqlText.mask(body);
    Matcher cor = CREATE_OR_REPLACE.matcher(m);
    if (!cor.lookingAt() || VIEW_HEADER.matcher(m).lookingAt()) {
      return body;
    }
    Matcher h = ROUTINE_HEADER.matcher(m);
    if (!h.lookingAt()) {
      throw where.refuse(
          "CREATE OR REPLACE of something other than a view, function, procedure, trigger"
              + " or event (or with clauses the rendering does not know)",
          body,
          0);
    }
    String kind = h.group(1).toUpperCase(Locale.ROOT);
    String name = h.group(2);
    String create = "CREATE " + body.substring(cor.end());
    if (!kind.equals("TRIGGER")) {
      return "DROP " + kind + " IF EXISTS " + name + delimiter + "\n" + create;
    }
    Matcher t = TRIGGER_TABLE.matcher(m).region(h.end(), m.length());
    if (!t.lookingAt()) {
      throw where.refuse(
          "a trigger header without BEFORE|AFTER INSERT|UPDATE|DELETE ON <table>", body, h.end());
    }
    return "LOCK TABLES "
        + t.group(1)
        + " WRITE"
        + delimiter
        + "\n"
        + "DROP TRIGGER IF EXISTS "
        + name
        + delimiter
        + "\n"
        + create
        + delimiter
        + "\n"
        + "UNLOCK TABLES";
  }

  private static String replace(String sql, Pattern p, Function<MatchResult, String> with) {
    Matcher x = p.matcher(SqlText.mask(sql));
    StringBuilder b = new StringBuilder();
    int done = 0;
    while (x.find()) {
      b.append(sql, done, x.start()).append(with.apply(x.toMatchResult()));
      done = x.end();
    }
    return b.append(sql.substring(done)).toString();
  }

  /** Index of the parenthesis closing the one at {@code open}, on a mask. */
  private static int closingParen(String m, int open) {
    int depth = 0;
    for (int k = open; k < m.length(); k++) {
      char c = m.charAt(k);
      if (c == '(') {
        depth++;
      } else if (c == ')' && --depth == 0) {
        return k;
      }
    }
    throw new SchemaDialectException("unbalanced parentheses after offset " + open);
  }

  /** The value of the single-quoted literal whose opening quote is at {@code q}. */
  private static String literal(String text, String m, int q) {
    int close = m.indexOf('\'', q + 1);
    String raw = text.substring(q + 1, close < 0 ? text.length() : close);
    StringBuilder v = new StringBuilder();
    for (int k = 0; k < raw.length(); k++) {
      char c = raw.charAt(k);
      if ((c == '\\' || c == '\'') && k + 1 < raw.length()) {
        k++;
        c = raw.charAt(k);
      }
      v.append(c);
    }
    return v.toString();
  }

  private static String snippet(String text, int at) {
    int eol = text.indexOf('\n', at);
    String s = text.substring(at, eol < 0 ? text.length() : eol);
    return s.length() > 100 ? s.substring(0, 100) + "…" : s;
  }

  /** A position in a script, for refusals. */
  private record Where(String script, String source, int offset) {
    Where at(int delta) {
      return new Where(script, source, offset + delta);
    }

    SchemaDialectException refuse(String what, String statement, int index) {
      return new SchemaDialectException(
          "MySQL 8.4 rendering of "
              + script
              + ", line "
              + SqlText.line(source, offset)
              + ": no exact rewrite for "
              + what
              + ": "
              + snippet(statement, index));
    }
  }
}
