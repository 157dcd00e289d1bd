package io.siloreports.jobstore;

import io.siloreports.db.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code report_schedules} over plain JDBC (SQLite, MySQL, MariaDB): the schedules the API creates and changes and
 * the settings seed. Stores text; the caller validates it first. Each call opens and closes its own connection.
 */
public final class JdbcScheduleStore implements AutoCloseable {
  /** Each schedule field and its column, in column order. */
  private static final Map<String, String> FIELD_COLUMNS = Map.of("cron", "cron", "at", "at_time", "zone",
      "time_zone", "silos", "silos", "days", "range_days", "range", "range_text", "format", "formats", "notify",
      "notify", "attach", "attach_report");
  private static final List<String> FIELDS = List.of("cron", "at", "zone", "silos", "days", "range", "format",
      "notify", "attach");
  private static final String COLUMNS = "name, cron, at_time, time_zone, silos, range_days, range_text, formats,"
      + " notify, attach_report, recipients, paused, source, created_at, updated_at, created_by, updated_by";

  private final JobTable table;
  private final SqlDialect dialect;
  private final Clock clock;

  /** The schema is not this class's business: {@link io.siloreports.db.SchemaPolicy} prepares it. */
  public JdbcScheduleStore(Jdbc db, Clock clock) {
    this.table = new JobTable(db);
    this.dialect = table.dialect();
    this.clock = clock;
  }

  public List<StoredSchedule> list() {
    return query("SELECT " + COLUMNS + " FROM report_schedules ORDER BY name", null);
  }

  public Optional<StoredSchedule> find(String name) {
    return query("SELECT " + COLUMNS + " FROM report_schedules WHERE name = ?", name).stream().findFirst();
  }

  /**
   * Creates the schedule; false when one of that name exists. {@code fields} must be {@code ReportSchedule}-valid.
   */
  public boolean create(String name, Map<String, String> fields, String recipients, String source, String by) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    try (Connection c = table.connect();
        PreparedStatement st = c.prepareStatement("INSERT INTO report_schedules (" + COLUMNS + ") VALUES"
            + " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      st.setString(1, name);
      int i = bindFields(st, 2, fields);
      st.setString(i++, recipients);
      st.setBoolean(i++, false);
      st.setString(i++, source);
      dialect.setInstant(st, i++, now);
      dialect.setInstant(st, i++, now);
      st.setString(i++, by);
      st.setString(i, by);
      st.executeUpdate();
      return true;
    } catch (SQLException e) {
      if (dialect.isDuplicateKey(e)) {
        return false;
      }
      throw table.failure("create schedule " + name, null, e);
    }
  }

  /** Replaces the schedule's fields (and recipients); false when there is no such schedule. */
  public boolean update(String name, Map<String, String> fields, String recipients, String source, String by) {
    StringBuilder set = new StringBuilder();
    for (String f : FIELDS) {
      set.append(FIELD_COLUMNS.get(f)).append(" = ?, ");
    }
    return execute("change schedule " + name, "UPDATE report_schedules SET " + set
        + "recipients = ?, source = ?, updated_at = ?, updated_by = ? WHERE name = ?", st -> {
          int i = bindFields(st, 1, fields);
          st.setString(i++, recipients);
          st.setString(i++, source);
          dialect.setInstant(st, i++, clock.instant().truncatedTo(ChronoUnit.MILLIS));
          st.setString(i++, by);
          st.setString(i, name);
        });
  }

  /** Pauses or resumes; false when there is no such schedule. */
  public boolean setPaused(String name, boolean paused, String by) {
    return execute("pause or resume schedule " + name, "UPDATE report_schedules SET paused = ?,"
        + " updated_at = ?, updated_by = ? WHERE name = ?", st -> {
          st.setBoolean(1, paused);
          dialect.setInstant(st, 2, clock.instant().truncatedTo(ChronoUnit.MILLIS));
          st.setString(3, by);
          st.setString(4, name);
        });
  }

  /** Deletes the schedule (its runs stay in report_jobs); false when there is no such schedule. */
  public boolean delete(String name) {
    return execute("delete schedule " + name, "DELETE FROM report_schedules WHERE name = ?",
        st -> st.setString(1, name));
  }

  private interface Binder {
    void bind(PreparedStatement st) throws SQLException;
  }

  private boolean execute(String action, String sql, Binder binder) {
    try (Connection c = table.connect(); PreparedStatement st = c.prepareStatement(sql)) {
      binder.bind(st);
      return st.executeUpdate() > 0;
    } catch (SQLException e) {
      throw table.failure(action, null, e);
    }
  }

  private static int bindFields(PreparedStatement st, int first, Map<String, String> fields) throws SQLException {
    int i = first;
    for (String f : FIELDS) {
      String v = fields.get(f);
      if (f.equals("days")) {
        if (v == null) {
          st.setNull(i++, Types.INTEGER);
        } else {
          st.setInt(i++, Integer.parseInt(v.trim()));
        }
      } else if (f.equals("zone")) {
        st.setString(i++, v == null ? "UTC" : v);
      } else if (f.equals("format")) {
        st.setString(i++, v == null ? "xlsx" : v);
      } else if (f.equals("attach")) {
        st.setBoolean(i++, v != null && v.trim().equalsIgnoreCase("true"));
      } else {
        st.setString(i++, v);
      }
    }
    return i;
  }

  private List<StoredSchedule> query(String sql, String name) {
    try (Connection c = table.connect(); PreparedStatement st = c.prepareStatement(sql)) {
      if (name != null) {
        st.setString(1, name);
      }
      List<StoredSchedule> out = new ArrayList<>();
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          Map<String, String> fields = new LinkedHashMap<>();
          for (String f : FIELDS) {
            String v = f.equals("attach") ? (rs.getBoolean("attach_report") ? "true" : null)
                : rs.getString(FIELD_COLUMNS.get(f));
            if (v != null) {
              fields.put(f, v);
            }
          }
          out.add(new StoredSchedule(rs.getString("name"), fields, rs.getString("recipients"),
              rs.getBoolean("paused"), rs.getString("source"), dialect.getInstant(rs, "created_at"),
              dialect.getInstant(rs, "updated_at"), rs.getString("created_by"), rs.getString("updated_by")));
        }
      }
      return out;
    } catch (SQLException e) {
      throw table.failure("read the schedules", null, e);
    }
  }

  @Override
  public void close() {
    table.close();
  }
}
