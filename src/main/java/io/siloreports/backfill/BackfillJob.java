package io.siloreports.backfill;

import io.siloreports.cli.BackfillConfig;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import io.siloreports.aggregate.Aggregations;
import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;
import io.siloreports.db.SchemaCheck;
import io.siloreports.ingest.CsvRecords;
import io.siloreports.ingest.ParsedRecords;
import io.siloreports.model.Pipeline;
import io.siloreports.ingest.RawFileSource;
import io.siloreports.model.AggregationProgress;
import io.siloreports.store.MySqlAggregateRows;
import io.siloreports.store.MySqlAggregateStore;
import io.siloreports.store.Quarantine;
import io.siloreports.spark.SparkSessions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code backfill} job: recomputes a time range of final hours from the raw files and replaces them in the
 * MySQL tables the stream writes ({@code silo_hourly_aggregates}, {@code bucket_counts}), chunk by chunk.
 *
 * <h2>Why only final hours</h2>
 * The stream merges each micro-batch's partial aggregates additively into MySQL, and never writes an hour
 * before the committed {@code aggregation_progress.finalized_before} again (readings for such hours are late:
 * it quarantines them). So those hours are the backfill's to rewrite: nothing else writes them, and the
 * report reads them from the aggregates. An hour at or after {@code finalized_before} is still open: the
 * stream would add its next readings on top of whatever the backfill wrote, so {@code --to} must not be later
 * than the pipeline's committed {@code finalized_before} (the default {@code --to}); a later one is refused.
 * {@code finalized_before} only moves forward, so the check at start holds for the whole run (each chunk's
 * transaction checks it again). A pipeline without a committed {@code finalized_before} (the stream never
 * committed a reading) is refused unless {@code --force} is given with an explicit {@code --to}: only do that
 * when the stream is stopped and will not process these hours, for it would merge its readings on top.
 *
 * <h2>What a chunk does</h2>
 * The raw files are read once (one Spark read of {@code <input>/<pipeline id>/}, JSON lines or CSV) and parsed
 * with the stream's validation ({@link ParsedRecords}); the rows whose event time is in the range are
 * persisted. Then, one chunk after another (default one UTC day; each chunk is parallel inside Spark), the
 * chunk's valid records are aggregated to ABSOLUTE values with the stream's code ({@link Aggregations}): every
 * valid raw record with an event time in the chunk, including readings the stream quarantined as late (that is
 * the point of a backfill). One transaction per chunk then deletes the chunk's rows ({@code hour_start} /
 * {@code bucket_start} in {@code [c0, c1)}) and inserts the recomputed rows in key order, in JDBC batches, with
 * the columns written exactly like the stream's sink ({@link MySqlAggregateRows}: exact sums in
 * {@code *_exact}, rounded DECIMAL(12,2)/(18,2) columns, {@code avg = ROUND(sum / count, 2)}). The same
 * transaction replaces the chunk's backfill quarantine rows. Running it twice leaves the same tables.
 *
 * <p>The chunk transactions run at READ COMMITTED, so the range DELETE locks only the rows it deletes, never
 * gaps or scanned rows of the open hours the stream is writing meanwhile (at REPEATABLE READ a DELETE that the
 * optimizer runs as a table scan locks every row until the chunk commits). With binary logging on, MySQL then
 * needs {@code binlog_format} ROW or MIXED (the defaults of MySQL 8, MariaDB and RDS). Migration V3 indexes
 * {@code bucket_counts(bucket_start)} so the range is a range scan, not a table scan.
 *
 * <h2>Bad records</h2>
 * Bad records are counted (by reason in the summary) and written to {@code quarantine} with
 * {@code batch_id = -1} (the backfill's, next to the stream's own quarantine rows of the same lines),
 * {@code kind = bad} and the file as {@code source}. A bad record with a readable timestamp belongs to its
 * chunk: the chunk's transaction deletes the backfill's earlier rows for it ({@code batch_id = -1},
 * {@code event_ts} in the chunk) and inserts the current ones, so reruns never duplicate them. A bad record
 * without a timestamp belongs to no range: it is counted and logged, and written once per run with
 * {@code event_ts} NULL, replacing the backfill's earlier untimed rows from the same files. Bad records whose
 * timestamp is outside the range are left to a backfill of their own range.
 *
 * <h2>Safety</h2>
 * A chunk whose input has fewer valid records than the aggregates already count for it is not replaced: the
 * stream counted records that are not in the input (raw files moved, deleted or only partly copied), and
 * replacing would lose them. It is skipped with a warning and the run ends with exit code 1;
 * {@code --allow-fewer-records} replaces it anyway (e.g. to repair counts known to be too high). The Parquet
 * sink is refused: its layout is append-only per micro-batch, so rebuild it by re-running the stream from a
 * fresh checkpoint instead.
 *
 * <p>Timestamps too far in the future are judged against the backfill's own run time, so a reading the stream
 * rejected as more than {@code validation.max-future-skew} ahead of its processing time can be accepted by a
 * later backfill. The progress totals ({@code valid_total}, {@code bad_total}, {@code late_total}) remain the
 * stream's.
 */
public final class BackfillJob {
  private static final Logger LOG = LoggerFactory.getLogger(BackfillJob.class);
  /** The {@code batch_id} of the backfill's quarantine rows (the stream's batch ids start at 0). */
  public static final long BATCH_ID = -1L;
  private static final int MAX_ATTEMPTS = 5;
  private static final DateTimeFormatter MINUTES =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm'Z'").withZone(ZoneOffset.UTC);

  /** A backfill refused before it touched anything; the message says why and what to do. */
  public static final class Refused extends IllegalArgumentException {
    Refused(String message) {
      super(message);
    }
  }

  /** The range one pipeline is backfilled over, and the committed finalized_before it was checked against. */
  public record Range(Pipeline pipeline, Instant from, Instant to, Instant finalizedBefore) {}

  /**
   * What a run did for one pipeline.
   *
   * @param records valid records aggregated (in replaced chunks)
   * @param rows aggregate rows written (silo-hours or buckets)
   * @param bad bad records with a timestamp in the range, plus those without a timestamp
   * @param untimedBad bad records without a (readable) timestamp
   * @param badByReason bad records by the start of their reason ({@code wrong type: value}, ...)
   * @param skippedChunks chunks not replaced because the input has fewer records than the aggregates
   */
  public record Result(
      Pipeline pipeline,
      Instant from,
      Instant to,
      int chunks,
      long records,
      long rows,
      long bad,
      long untimedBad,
      Map<String, Long> badByReason,
      List<String> skippedChunks) {}

  private final BackfillConfig config;
  private final SparkSession spark;
  private final Clock clock;

  public BackfillJob(BackfillConfig config, SparkSession spark, Clock clock) {
    this.config = config;
    this.spark = spark;
    this.clock = clock;
  }

  public static void main(String[] args) throws Exception {
    int code;
    try {
      code = run(args);
    } catch (IllegalArgumentException e) {
      System.err.println("silo-reports backfill: " + e.getMessage());
      code = 2;
    } catch (Exception e) {
      LOG.error("silo-reports backfill failed: {}", e.toString(), e);
      code = 1;
    }
    System.exit(code); // Spark leaves non-daemon threads behind
  }

  /**
   * The {@code backfill} command: 0 when every chunk was replaced, 1 when a chunk was skipped. A refusal
   * (bad flags, Parquet sink, {@code --to} after finalized_before) is an IllegalArgumentException, thrown
   * before Spark starts.
   */
  public static int run(String[] args) throws Exception {
    BackfillConfig config =
        BackfillConfig.from(Settings.load(List.of(args), BackfillConfig.FLAGS, System.getenv()));
    List<Range> ranges = plan(config);
    SparkSession spark = SparkSessions.create("silo-reports-backfill", config.sparkConf());
    List<Result> results = new BackfillJob(config, spark, Clock.systemUTC()).run(ranges);
    return results.stream().allMatch(r -> r.skippedChunks().isEmpty()) ? 0 : 1;
  }

  /**
   * Checks the sink and the schema and decides each pipeline's range against its committed
   * {@code finalized_before}; throws {@link Refused} (naming it) when the range is not final.
   */
  public static List<Range> plan(BackfillConfig config) {
    if (!config.sink().type().equals("mysql")) {
      throw new Refused("the backfill writes MySQL aggregates only (sink.type=mysql); sink.type is "
          + config.sink().type() + ". The Parquet layout is append-only per micro-batch: to rebuild it, run the"
          + " stream again from a fresh checkpoint directory into an empty warehouse directory.");
    }
    Jdbc db = config.sink().db();
    SchemaCheck.requireCurrent(db, config.migrateOnStart());
    List<Range> ranges = new ArrayList<>();
    for (Pipeline p : config.pipelines()) {
      Optional<AggregationProgress> progress = MySqlAggregateStore.readProgress(db, p);
      Instant finalizedBefore = progress.map(AggregationProgress::finalizedBefore).orElse(null);
      Instant to;
      if (finalizedBefore != null) {
        to = config.to() == null ? finalizedBefore : config.to();
        if (to.isAfter(finalizedBefore)) {
          throw new Refused("--to " + to + " is after " + p.id + "'s finalized_before " + finalizedBefore
              + ": hours from " + finalizedBefore + " on are not final yet, and the stream adds its next readings"
              + " to them, on top of what a backfill would write. Backfill up to " + finalizedBefore
              + " (the default when --to is not given), or wait until the stream has finalized those hours.");
        }
      } else {
        String why = progress.isEmpty()
            ? "has no aggregation_progress row (the stream never committed a batch of it)"
            : "has no finalized_before yet (the stream has not aggregated a reading)";
        if (!config.force()) {
          throw new Refused(p.id + " " + why + ", so no hour is known to be final. If the stream is stopped and"
              + " will not process these hours (it would add its readings on top of the backfill's), run again"
              + " with --force and an explicit --to.");
        }
        if (config.to() == null) {
          throw new Refused(p.id + " " + why + ": with --force, give --to (there is no finalized_before to"
              + " default to).");
        }
        to = config.to();
        LOG.warn("backfill {}: {}; going ahead because of --force (the stream must not process these hours)",
            p.id, why);
      }
      if (!config.from().isBefore(to)) {
        throw new Refused("nothing to backfill for " + p.id + ": --from " + config.from() + " is not before "
            + (config.to() == null ? "its finalized_before " : "--to ") + to);
      }
      ranges.add(new Range(p, config.from(), to, finalizedBefore));
    }
    return ranges;
  }

  /** Plans and runs every configured pipeline. */
  public List<Result> run() {
    return run(plan(config));
  }

  public List<Result> run(List<Range> ranges) {
    List<Result> results = new ArrayList<>();
    for (Range r : ranges) {
      results.add(backfill(r));
    }
    return results;
  }

  /** The chunks of {@code [from, to)}: aligned to multiples of {@code size} since the epoch, clipped. */
  static List<Instant[]> chunks(Instant from, Instant to, Duration size) {
    long w = size.getSeconds();
    List<Instant[]> out = new ArrayList<>();
    for (Instant c0 = from; c0.isBefore(to); ) {
      Instant next = Instant.ofEpochSecond(Math.floorDiv(c0.getEpochSecond(), w) * w + w);
      Instant c1 = next.isBefore(to) ? next : to;
      out.add(new Instant[] {c0, c1});
      c0 = c1;
    }
    return out;
  }

  private Result backfill(Range range) {
    Pipeline p = range.pipeline();
    long started = System.nanoTime();
    Instant now = clock.instant();
    RawFileSource files = new RawFileSource(config.inputDir());
    LOG.info("backfill {}: [{}, {}) (finalized_before {}) from {} ({}), chunks of {}", p.id, range.from(),
        range.to(), range.finalizedBefore() == null ? "unset, --force" : range.finalizedBefore(), files.dir(p),
        config.format(), config.chunk());

    Dataset<Row> lines = files.batch(spark, p, range.from(), range.to());
    Dataset<Row> parsed =
        config.format().equals("csv")
            ? ParsedRecords.parseCsv(lines, p,
                CsvRecords.headers(lines.inputFiles(), p, spark.sparkContext().hadoopConfiguration()), config.rules(),
                now)
            : ParsedRecords.parse(lines, p, config.rules(), now);
    Column ts = col("ts");
    Dataset<Row> kept =
        parsed.filter(ts.geq(lit(Timestamp.from(range.from()))).and(ts.lt(lit(Timestamp.from(range.to()))))
                .or(ParsedRecords.BAD.and(ts.isNull())))
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      String unit = p == Pipeline.SILO_READINGS ? "readings" : "events";
      String rowUnit = p == Pipeline.SILO_READINGS ? "hours" : "buckets";
      long records = 0;
      long rows = 0;
      long bad = 0;
      List<String> skipped = new ArrayList<>();
      List<Instant[]> chunks = chunks(range.from(), range.to(), config.chunk());
      for (Instant[] c : chunks) {
        long t0 = System.nanoTime();
        String label = label(c[0], c[1]);
        Dataset<Row> inChunk =
            kept.filter(ts.geq(lit(Timestamp.from(c[0]))).and(ts.lt(lit(Timestamp.from(c[1])))));
        Row stats =
            inChunk.agg(count(when(ParsedRecords.VALID, lit(1))), count(when(ParsedRecords.BAD, lit(1)))).first();
        long valid = stats.getLong(0);
        long chunkBad = stats.getLong(1);
        ChunkWrite w = writeChunk(p, c[0], c[1], valid, Aggregations.partials(p, inChunk.filter(ParsedRecords.VALID)),
            chunkBad == 0 ? null : Quarantine.of(inChunk.withColumn("late", lit(false)), p, BATCH_ID, null, now),
            now);
        bad += chunkBad;
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (w.skippedBecauseStored() >= 0) {
          skipped.add(label);
          LOG.warn("backfill {} {}: SKIPPED, nothing written: the input has {} valid {} but the aggregates count {}"
                  + " for these hours (raw files missing or moved?); --allow-fewer-records replaces them anyway; {} ms",
              p.id, label, n(valid), unit, n(w.skippedBecauseStored()), ms);
        } else {
          records += valid;
          rows += w.rows();
          LOG.info("backfill {} {}: {} {} -> {} {}, {} bad; {} ms", p.id, label, n(valid), unit, n(w.rows()), rowUnit,
              n(chunkBad), ms);
        }
      }
      long untimed = writeUntimedBad(p, kept.filter(ParsedRecords.BAD.and(ts.isNull())), now);
      Map<String, Long> byReason = badByReason(kept.filter(ParsedRecords.BAD));
      Result result = new Result(p, range.from(), range.to(), chunks.size(), records, rows, bad + untimed, untimed,
          byReason, List.copyOf(skipped));
      LOG.info("backfill {} [{}, {}): {} chunks, {} {} -> {} {}, {} bad ({} without a timestamp){}{}; {} ms",
          p.id, MINUTES.format(range.from()), MINUTES.format(range.to()), chunks.size(), n(records), unit, n(rows),
          rowUnit, n(result.bad()), n(untimed),
          byReason.isEmpty() ? "" : byReason.entrySet().stream().map(e -> e.getKey() + " " + n(e.getValue()))
              .collect(Collectors.joining(", ", " [", "]")),
          skipped.isEmpty() ? "" : "; " + skipped.size() + " chunk(s) SKIPPED: " + String.join(", ", skipped),
          (System.nanoTime() - started) / 1_000_000);
      return result;
    } finally {
      kept.unpersist();
    }
  }

  /** What a chunk's transaction did: rows written, or the stored count that made it skip ({@code >= 0}). */
  private record ChunkWrite(long rows, long skippedBecauseStored) {}

  /** Replaces a chunk in one transaction, retrying deadlocks and lock-wait timeouts. */
  private ChunkWrite writeChunk(Pipeline p, Instant c0, Instant c1, long valid, Dataset<Row> partials,
      Dataset<Row> quarantine, Instant now) {
    // READ COMMITTED: no gap locks next to the open hours the stream is writing.
    return config.sink().db().inTransaction(Connection.TRANSACTION_READ_COMMITTED, MAX_ATTEMPTS,
        "replace " + p.id + " [" + c0 + ", " + c1 + ")", c -> {
          ChunkWrite w = writeChunkOnce(c, p, c0, c1, valid, partials, quarantine, now);
          if (w.skippedBecauseStored() >= 0) {
            c.rollback(); // nothing written; the commit that follows is empty
          }
          return w;
        });
  }

  private ChunkWrite writeChunkOnce(Connection c, Pipeline p, Instant c0, Instant c1, long valid,
      Dataset<Row> partials, Dataset<Row> quarantine, Instant now) throws SQLException {
    requireFinal(c, p, c1);
    String table = p.table;
    String time = Aggregations.timeColumn(p);
    // Every bucket of an event lies in its hour, so the 60-minute buckets count each event once.
    long stored = single(c, "SELECT COALESCE(SUM(record_count), 0) FROM " + table + " WHERE " + time + " >= ? AND "
        + time + " < ?" + (p == Pipeline.SILO_READINGS ? "" : " AND bucket_minutes = 60"), c0, c1);
    if (valid < stored && !config.allowFewerRecords()) {
      return new ChunkWrite(0, stored);
    }
    update(c, "DELETE FROM " + table + " WHERE " + time + " >= ? AND " + time + " < ?", c0, c1);
    long rows = MySqlAggregateRows.write(c, p, MySqlAggregateRows.inKeyOrder(p, partials).toLocalIterator(),
        Timestamp.from(now), MySqlAggregateRows.Mode.INSERT);
    update(c, "DELETE FROM quarantine WHERE pipeline = ? AND batch_id = " + BATCH_ID
        + " AND event_ts >= ? AND event_ts < ?", p.id, c0, c1);
    if (quarantine != null) {
      MySqlAggregateRows.insertQuarantine(c, quarantine.toLocalIterator());
    }
    return new ChunkWrite(rows, -1);
  }

  /** Checks again, inside the chunk's transaction, that the chunk is final (or that --force allows it). */
  private void requireFinal(Connection c, Pipeline p, Instant c1) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(
        "SELECT finalized_before FROM aggregation_progress WHERE pipeline = ?")) {
      st.setString(1, p.id);
      try (ResultSet rs = st.executeQuery()) {
        Instant fb = rs.next() ? Jdbc.getUtc(rs, 1) : null;
        if (fb == null ? !config.force() : c1.isAfter(fb)) {
          throw new IllegalStateException(p.id + "'s finalized_before is now " + fb + ", before the end of"
              + " the chunk " + c1 + ": was the stream's progress reset while the backfill ran? Nothing of this"
              + " chunk was written.");
        }
      }
    }
  }

  /**
   * Bad records without a timestamp: written with event_ts NULL, replacing the backfill's earlier untimed rows
   * from the same files (raw files do not change, so a rerun writes the same rows). Returns how many.
   */
  private long writeUntimedBad(Pipeline p, Dataset<Row> untimed, Instant now) {
    long n = untimed.count();
    if (n == 0) {
      return 0;
    }
    List<String> sources = untimed.select("source").distinct().collectAsList().stream()
        .map(r -> MySqlAggregateRows.sourceColumn(r.getString(0))).toList();
    Dataset<Row> rows = Quarantine.of(untimed.withColumn("late", lit(false)), p, BATCH_ID, null, now);
    config.sink().db().inTransaction(Connection.TRANSACTION_READ_COMMITTED, 1,
        "write the untimed bad records of " + p.id, c -> {
          try (PreparedStatement st = c.prepareStatement("DELETE FROM quarantine WHERE pipeline = ? AND batch_id = "
              + BATCH_ID + " AND event_ts IS NULL AND source <=> ?")) {
            for (String s : sources) {
              st.setString(1, p.id);
              st.setString(2, s);
              st.addBatch();
            }
            st.executeBatch();
          }
          MySqlAggregateRows.insertQuarantine(c, rows.toLocalIterator());
          return null;
        });
    LOG.warn("backfill {}: {} bad record(s) without a timestamp (in {} file(s)), quarantined with event_ts NULL",
        p.id, n(n), sources.size());
    return n;
  }

  /** Bad records by the start of their reason: {@code missing field: ts}, {@code wrong type: value}, ... */
  private static Map<String, Long> badByReason(Dataset<Row> bad) {
    Column reason = trim(regexp_extract(col("error"),
        "^((?:missing field|empty field|wrong type): \\w+|[^:']+)", 1));
    Map<String, Long> out = new LinkedHashMap<>();
    for (Row r : bad.groupBy(reason.as("reason")).count().orderBy(col("count").desc(), col("reason")).collectAsList()) {
      out.put(r.getString(0), r.getLong(1));
    }
    return out;
  }

  private static long single(Connection c, String sql, Instant from, Instant to) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(sql)) {
      st.setObject(1, Jdbc.utc(from));
      st.setObject(2, Jdbc.utc(to));
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static void update(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        st.setObject(i + 1, params[i] instanceof Instant t ? Jdbc.utc(t) : params[i]);
      }
      st.executeUpdate();
    }
  }

  /** {@code 2026-11-20} for a whole UTC day, else {@code 2026-11-20T06:00Z..2026-11-20T12:00Z}. */
  static String label(Instant c0, Instant c1) {
    if (c0.getEpochSecond() % 86_400 == 0 && Duration.between(c0, c1).equals(Duration.ofDays(1))) {
      return c0.toString().substring(0, 10);
    }
    return MINUTES.format(c0) + ".." + MINUTES.format(c1);
  }

  private static String n(long v) {
    return String.format(Locale.ROOT, "%,d", v);
  }
}
