package io.siloreports.db;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Versioned schema migrations: {@code db/migration/<dialect>/V<n>__<name>.sql} on the classpath, listed in
 * that folder's {@code migrations.txt} (a jar cannot be listed reliably). Applied versions are recorded in
 * {@code schema_version} with a checksum; an applied file that was edited afterwards is an error, never
 * silently re-run. Each file's statements are separated by lines ending in {@code ;}.
 *
 * <p>Every migration belongs to a {@link Scope}: the job store's ({@code report_jobs}) or the aggregates' (what the
 * stream writes). One {@code schema_version} table records both, and each instance applies and checks the
 * migrations of its own scope only, so a database that holds only {@code report_jobs} never gets the aggregates
 * tables.
 */
public final class SchemaMigrations {
  private static final Logger LOG = LoggerFactory.getLogger(SchemaMigrations.class);

  /** Which tables a migration is about. */
  public enum Scope {
    /** {@code report_jobs}: the report job store. */
    JOB_STORE("jobstore"),
    /** Aggregates, bucket counts, progress, quarantine and the raw readings table. */
    AGGREGATES("aggregates");

    final String id;

    Scope(String id) {
      this.id = id;
    }
  }

  /** One migration file. */
  public record Migration(int version, String description, String file, String sql, String checksum, Scope scope) {}

  private final Scope scope;
  /** Every migration of the dialect, all scopes: applied versions are checked against all of them. */
  private final List<Migration> known;
  private final List<Migration> migrations;

  public SchemaMigrations(String dialect, Scope scope) {
    this.scope = scope;
    this.known = load(dialect);
    this.migrations = known.stream().filter(m -> m.scope() == scope).toList();
  }

  /** The dialect of a JDBC URL: {@code mysql} (MySQL and MariaDB) or {@code sqlite}. */
  public static String dialectOf(String jdbcUrl) {
    if (jdbcUrl.startsWith("jdbc:sqlite:")) {
      return "sqlite";
    }
    if (jdbcUrl.startsWith("jdbc:mysql:") || jdbcUrl.startsWith("jdbc:mariadb:")) {
      return "mysql";
    }
    throw new IllegalArgumentException("unsupported JDBC URL " + jdbcUrl.replaceAll("password=[^&]*", "password=****")
        + " (expected jdbc:mysql:, jdbc:mariadb: or jdbc:sqlite:)");
  }

  /** The migrations of this scope, in version order. */
  public List<Migration> all() {
    return migrations;
  }

  /** The newest version of this scope, 0 when it has none. */
  public int currentVersion() {
    return migrations.isEmpty() ? 0 : migrations.get(migrations.size() - 1).version();
  }

  /** Applies every pending migration in version order; returns how many it applied. */
  public int migrate(Connection c) throws SQLException {
    ensureVersionTable(c);
    Map<Integer, String> applied = verifyApplied(c);
    int count = 0;
    for (Migration m : migrations) {
      if (applied.containsKey(m.version())) {
        continue;
      }
      long t0 = System.nanoTime();
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(false); // MySQL commits DDL implicitly; SQLite runs the whole file in one transaction
      try (Statement st = c.createStatement()) {
        for (String sql : statements(m.sql())) {
          st.execute(sql);
        }
        try (PreparedStatement ins = c.prepareStatement(
            "INSERT INTO schema_version (version, description, checksum, applied_at) VALUES (?, ?, ?, ?)")) {
          ins.setInt(1, m.version());
          ins.setString(2, m.description());
          ins.setString(3, m.checksum());
          ins.setString(4, Instant.now().toString());
          ins.executeUpdate();
        }
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        if (verifyApplied(c).containsKey(m.version())) {
          LOG.info("schema: {} was applied by another process meanwhile", m.file());
          continue;
        }
        throw new SQLException("migration " + m.file() + " failed: " + e.getMessage(), e.getSQLState(), e);
      } finally {
        c.setAutoCommit(auto);
      }
      LOG.info("schema: applied {} ({} ms)", m.file(), (System.nanoTime() - t0) / 1_000_000);
      count++;
    }
    return count;
  }

  /** Migrations not applied yet (after checking the applied ones are unchanged). */
  public List<Migration> pending(Connection c) throws SQLException {
    if (!hasVersionTable(c)) {
      return migrations; // a check changes nothing: without the table, everything is pending
    }
    Map<Integer, String> applied = verifyApplied(c);
    return migrations.stream().filter(m -> !applied.containsKey(m.version())).toList();
  }

  /** Fails with the command to run when the schema is behind this build. */
  public void requireCurrent(Connection c) throws SQLException {
    List<Migration> pending = pending(c);
    if (!pending.isEmpty()) {
      throw new SchemaBehindException("the " + (scope == Scope.JOB_STORE ? "report_jobs" : "aggregates")
          + " schema is behind this build: " + pending.size() + " migration(s) pending, first " + pending.get(0).file()
          + "; run `silo-reports migrate` (or set db.migrate-on-start=true)");
    }
  }

  private static boolean hasVersionTable(Connection c) throws SQLException {
    for (String name : new String[] {"schema_version", "SCHEMA_VERSION"}) {
      try (ResultSet rs = c.getMetaData().getTables(c.getCatalog(), null, name, null)) {
        if (rs.next()) {
          return true;
        }
      }
    }
    return false;
  }

  private static void ensureVersionTable(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("CREATE TABLE IF NOT EXISTS schema_version (version INT NOT NULL PRIMARY KEY,"
          + " description VARCHAR(200) NOT NULL, checksum VARCHAR(64) NOT NULL, applied_at VARCHAR(40) NOT NULL)");
    }
  }

  private Map<Integer, String> verifyApplied(Connection c) throws SQLException {
    Map<Integer, String> applied = new TreeMap<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT version, checksum FROM schema_version")) {
      while (rs.next()) {
        applied.put(rs.getInt(1), rs.getString(2));
      }
    }
    for (Migration m : known) {
      String sum = applied.get(m.version());
      if (sum != null && !sum.equals(m.checksum())) {
        throw new IllegalStateException("migration " + m.file() + " was changed after it was applied"
            + " (checksum " + sum + " in schema_version, " + m.checksum() + " now): add a new version instead");
      }
    }
    int newest = known.isEmpty() ? 0 : known.get(known.size() - 1).version();
    for (int v : applied.keySet()) {
      if (v > newest) {
        throw new IllegalStateException("the database has schema version " + v + ", newer than this build knows ("
            + newest + "): run a newer build");
      }
    }
    return applied;
  }

  /** Splits a file into statements at lines ending in ';' ('--' comment lines dropped). */
  static List<String> statements(String sql) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (String line : sql.split("\n")) {
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("--")) {
        continue;
      }
      cur.append(line).append('\n');
      if (t.endsWith(";")) {
        String s = cur.toString().strip();
        out.add(s.substring(0, s.length() - 1));
        cur.setLength(0);
      }
    }
    if (!cur.toString().isBlank()) {
      out.add(cur.toString().strip());
    }
    return out;
  }

  private static List<Migration> load(String dialect) {
    String dir = "/db/migration/" + dialect + "/";
    String index = read(dir + "migrations.txt");
    if (index == null) {
      throw new IllegalStateException("no migrations for dialect " + dialect + " (" + dir + "migrations.txt)");
    }
    List<Migration> out = new ArrayList<>();
    for (String line : index.split("\n")) {
      line = line.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] fields = line.split("\\s+");
      String name = fields[0];
      Scope scope = null;
      for (Scope sc : Scope.values()) {
        if (fields.length == 2 && sc.id.equals(fields[1])) {
          scope = sc;
        }
      }
      if (scope == null) {
        throw new IllegalStateException("migrations.txt line must be '<file> jobstore|aggregates': " + line);
      }
      if (!name.matches("V\\d+__\\w+\\.sql")) {
        throw new IllegalStateException("migration file name must look like V1__create_tables.sql: " + name);
      }
      String sql = read(dir + name);
      if (sql == null) {
        throw new IllegalStateException("migration " + dir + name + " is listed but missing");
      }
      int version = Integer.parseInt(name.substring(1, name.indexOf("__")));
      String description = name.substring(name.indexOf("__") + 2, name.length() - 4).replace('_', ' ');
      if (!out.isEmpty() && out.get(out.size() - 1).version() >= version) {
        throw new IllegalStateException("migrations must be listed in increasing version order: " + name);
      }
      out.add(new Migration(version, description, name, sql, sha256(sql), scope));
    }
    return List.copyOf(out);
  }

  private static String read(String resource) {
    try (InputStream in = SchemaMigrations.class.getResourceAsStream(resource)) {
      return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n");
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + resource, e);
    }
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The database's schema is behind this build: the message names the command that brings it up to date. */
  public static final class SchemaBehindException extends IllegalStateException {
    SchemaBehindException(String message) {
      super(message);
    }
  }
}
