package io.siloreports.store;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The partitions of MySQL's {@code bucket_counts}, {@code PARTITION BY RANGE COLUMNS(bucket_minutes, bucket_start)}
 * (migration V10): per bucket size, daily partitions named {@code p<minutes>_<yyyymmdd>} holding the rows of that size
 * before that UTC day (the first of a size also holds everything older), then {@code p<minutes>_max} for the rest
 * of the size, and {@code p_other} for sizes no other partition names. Pure planning: which statements keep daily
 * partitions ready ahead of today, and which partitions hold only expired rows. {@link MySqlRetention} runs them.
 */
final class MySqlBucketPartitions {
  static final String TABLE = "bucket_counts";
  private static final Pattern DAILY = Pattern.compile("p(\\d+)_(\\d{8})");
  private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;

  /** A daily partition: rows of {@code minutes}-wide buckets starting before {@code bound} (midnight UTC). */
  record Daily(String name, int minutes, LocalDate bound) {}

  private MySqlBucketPartitions() {}

  /** The daily partition a partition name stands for; empty for {@code p<m>_max}, {@code p_other} and others. */
  static Optional<Daily> parse(String name) {
    Matcher m = DAILY.matcher(name);
    return m.matches()
        ? Optional.of(new Daily(name, Integer.parseInt(m.group(1)), LocalDate.parse(m.group(2), DAY)))
        : Optional.empty();
  }

  static String maxName(int minutes) {
    return "p" + minutes + "_max";
  }

  /**
   * The statement splitting {@code p<minutes>_max} so that daily partitions exist up to {@code lastBound}: from the day
   * after the size's last daily partition, or, for a size without any, from {@code firstBound} (its first partition
   * then holds every older row). Empty when they exist already. The split partition is kept empty by running this
   * ahead of time, so the split moves no rows (except the first time, over a table that has some).
   */
  static Optional<String> addDays(List<Daily> existing, int minutes, LocalDate firstBound, LocalDate lastBound) {
    LocalDate from = existing.stream().filter(d -> d.minutes() == minutes).map(Daily::bound).max(LocalDate::compareTo)
        .map(d -> d.plusDays(1)).orElse(firstBound);
    if (from.isAfter(lastBound)) {
      return Optional.empty();
    }
    StringBuilder sql = new StringBuilder("ALTER TABLE " + TABLE + " REORGANIZE PARTITION " + maxName(minutes)
        + " INTO (");
    for (LocalDate d = from; !d.isAfter(lastBound); d = d.plusDays(1)) {
      sql.append("PARTITION p").append(minutes).append('_').append(DAY.format(d)).append(" VALUES LESS THAN (")
          .append(minutes).append(", '").append(d).append(" 00:00:00'), ");
    }
    sql.append("PARTITION ").append(maxName(minutes)).append(" VALUES LESS THAN (").append(minutes)
        .append(", MAXVALUE))");
    return Optional.of(sql.toString());
  }

  /** The daily partitions of {@code minutes}-wide rows holding only rows before {@code cutoff}, oldest first. */
  static List<String> expired(List<Daily> existing, int minutes, Instant cutoff) {
    List<String> out = new ArrayList<>();
    existing.stream().filter(d -> d.minutes() == minutes)
        .filter(d -> !d.bound().atStartOfDay(ZoneOffset.UTC).toInstant().isAfter(cutoff))
        .sorted((a, b) -> a.bound().compareTo(b.bound())).forEach(d -> out.add(d.name()));
    return out;
  }

  /** The UTC day of an instant. */
  static LocalDate day(Instant t) {
    return t.atZone(ZoneOffset.UTC).toLocalDate();
  }
}
