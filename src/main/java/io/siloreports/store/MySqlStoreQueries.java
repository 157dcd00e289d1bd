package io.siloreports.store;

import io.siloreports.db.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** {@link StoreQueries} on the MySQL tables the stream writes (prepared statements only). */
public final class MySqlStoreQueries implements StoreQueries {
  private final Jdbc db;

  public MySqlStoreQueries(Jdbc db) {
    this.db = db;
  }

  @Override
  public List<Integer> silos() {
    try (Connection c = db.connect();
        PreparedStatement st = c.prepareStatement("SELECT DISTINCT silo_id FROM silo_hourly_aggregates ORDER BY silo_id");
        ResultSet rs = st.executeQuery()) {
      List<Integer> out = new ArrayList<>();
      while (rs.next()) {
        out.add(rs.getInt(1));
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the silos from " + db.redactedUrl() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<BucketCount> buckets(
      String recordType, String accountId, int minutes, Instant from, Instant to, int limit) {
    String sql = "SELECT record_type, account_id, bucket_minutes, bucket_start, record_count FROM bucket_counts"
        + " WHERE record_type = ? AND bucket_minutes = ? AND bucket_start >= ? AND bucket_start < ?"
        + (accountId == null ? "" : " AND account_id = ?") + " ORDER BY account_id, bucket_start LIMIT ?";
    try (Connection c = db.connect(); PreparedStatement st = c.prepareStatement(sql)) {
      int i = 1;
      st.setString(i++, recordType);
      st.setInt(i++, minutes);
      Jdbc.setUtc(st, i++, from);
      Jdbc.setUtc(st, i++, to);
      if (accountId != null) {
        st.setString(i++, accountId);
      }
      st.setInt(i, limit);
      List<BucketCount> out = new ArrayList<>();
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          out.add(new BucketCount(rs.getString(1), rs.getString(2), rs.getInt(3), Jdbc.getUtc(rs, 4), rs.getLong(5)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read bucket counts from " + db.redactedUrl() + ": " + e.getMessage(), e);
    }
  }
}
