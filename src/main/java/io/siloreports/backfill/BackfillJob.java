package io.siloreports.backfill;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import io.siloreports.ingest.CsvRecords;
import io.siloreports.ingest.ParsedRecords;
import io.siloreports.ingest.RawFileSource;
import io.siloreports.ingest.ValidationRules;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.JobOutcome;
import io.siloreports.model.Pipeline;
import io.siloreports.pipeline.PipelineDescriptor;
import io.siloreports.store.AggregateStore;
import io.siloreports.store.ProgressStore;
import io.siloreports.store.Quarantine;
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
import java.util.Objects;
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
 * MySQL tables the stream writes ({@code silo_hourly_aggregates}, {@code bucket_counts}), chunk by chunk. Longer than
 * most files: the chunk loop, its per-chunk and summary logging and its builder belong to one job.
 *
 * <p>Which hours it may replace is {@link BackfillPlan}'s to decide (final hours only).
 *
 * <h2>What a chunk does</h2>
 * The raw files are read once (one Spark read of {@code <input>/<pipeline id>/}, JSON lines or CSV) and parsed
 * with the stream's validation ({@link ParsedRecords}); the rows whose event time is in the range are
 * persisted. Then, one chunk after another (default one UTC day; each chunk is parallel inside Spark), the
 * chunk's valid records are aggregated to ABSOLUTE values with the stream's code (the pipeline's
 * {@link io.siloreports.aggregate.Aggregation}): every valid raw record with an event time in the chunk, including
 * readings the stream quarantined as late (that is the point of a backfill). One transaction per chunk then deletes
 * the chunk's rows ({@code hour_start} / {@code bucket_start} in {@code [c0, c1)}) and inserts the recomputed rows in
 * key order, in JDBC batches, with the columns written exactly like the stream's sink ({@link MySqlAggregateRows}: exact sums in
 * {@code *_exact}, rounded DECIMAL(12,2)/(18,2) columns, {@code avg = ROUND(sum / count, 2)}); that is
 * {@link AggregateStore#replaceRange}. The same transaction replaces the chunk's backfill quarantine rows. Running
 * it twice leaves the same tables.
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
  private static final DateTimeFormatter MINUTES =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm'Z'").withZone(ZoneOffset.UTC);

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

  /** Every pipeline's result; the run succeeded when no chunk was skipped. */
  public record Outcome(List<Result> results) implements JobOutcome {
    @Override
    public boolean succeeded() {
      return results.stream().allMatch(r -> r.skippedChunks().isEmpty());
    }

    @Override
    public String summary() {
      return "backfill " + results.stream()
          .map(r -> r.pipeline().id + ": " + r.chunks() + " chunks, " + n(r.records()) + " records, "
              + r.skippedChunks().size() + " skipped")
          .collect(Collectors.joining("; "));
    }
  }

  private final SparkSession spark;
  private final AggregateStore store;
  private final ProgressStore progress;
  private final RawFileSource files;
  private final String format;
  private final List<Pipeline> pipelines;
  private final Instant from;
  private final Instant to;
  private final Duration chunk;
  private final boolean force;
  private final boolean allowFewerRecords;
  private final ValidationRules rules;
  private final Clock clock;

  private BackfillJob(Builder b) {
    this.spark = Objects.requireNonNull(b.spark, "spark");
    this.store = Objects.requireNonNull(b.store, "store");
    this.progress = Objects.requireNonNull(b.progress, "progress");
    this.files = Objects.requireNonNull(b.files, "files");
    this.format = Objects.requireNonNull(b.format, "format");
    this.pipelines = List.copyOf(Objects.requireNonNull(b.pipelines, "pipelines"));
    this.from = Objects.requireNonNull(b.from, "from");
    this.to = b.to;
    this.chunk = Objects.requireNonNull(b.chunk, "chunk");
    this.force = b.force;
    this.allowFewerRecords = b.allowFewerRecords;
    this.rules = Objects.requireNonNull(b.rules, "rules");
    this.clock = Objects.requireNonNull(b.clock, "clock");
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Checks the store can replace ranges and plans each pipeline's range against its committed
   * {@code finalized_before} ({@link io.siloreports.model.Refused} before anything is read or written), then
   * backfills the pipelines one after the other.
   */
  public Outcome run() {
    store.requireRangeReplace();
    Map<Pipeline, Optional<AggregationProgress>> committed = new LinkedHashMap<>();
    pipelines.forEach(p -> committed.put(p, progress.last(p)));
    List<BackfillPlan.Range> ranges = BackfillPlan.of(pipelines, from, to, force, committed);
    List<Result> results = new ArrayList<>();
    for (BackfillPlan.Range r : ranges) {
      if (r.forcedBecause() != null) {
        LOG.warn("backfill {}: {}; going ahead because of --force (the stream must not process these hours)",
            r.pipeline().id, r.forcedBecause());
      }
      results.add(backfill(r));
    }
    return new Outcome(results);
  }

  private Result backfill(BackfillPlan.Range range) {
    Pipeline p = range.pipeline();
    PipelineDescriptor d = PipelineDescriptor.of(p);
    long started = System.nanoTime();
    Instant now = clock.instant();
    LOG.info("backfill {}: [{}, {}) (finalized_before {}) from {} ({}), chunks of {}", p.id, range.from(),
        range.to(), range.finalizedBefore() == null ? "unset, --force" : range.finalizedBefore(), files.dir(p),
        format, chunk);

    if (range.forcedBecause() == null) {
      // Before the raw files are listed: every record the stream merged into these hours is in them by then, and
      // from its next commit on the stream keeps records for them aside (too late) instead of adding to our rows.
      store.closeForRevision(p, range.to());
      LOG.info("backfill {}: hours before {} closed for revision; the stream keeps records for them in the quarantine"
          + " (kind too_late) from its next commit on, and a later backfill of their hours takes them in", p.id,
          range.to());
    }
    Dataset<Row> lines = files.batch(spark, p, range.from(), range.to());
    Dataset<Row> parsed =
        format.equals("csv")
            ? ParsedRecords.parseCsv(lines, d.format(),
                CsvRecords.headers(lines.inputFiles(), d.format(), spark.sparkContext().hadoopConfiguration()),
                rules, now)
            : ParsedRecords.parse(lines, d.format(), rules, now);
    Column ts = col(d.format().eventTimeColumn());
    Dataset<Row> kept =
        parsed.filter(ts.geq(lit(Timestamp.from(range.from()))).and(ts.lt(lit(Timestamp.from(range.to()))))
                .or(ParsedRecords.BAD.and(ts.isNull())))
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      String unit = d.recordsNoun();
      String rowUnit = d.rowsNoun();
      long records = 0;
      long rows = 0;
      long bad = 0;
      List<String> skipped = new ArrayList<>();
      List<Instant[]> chunks = BackfillPlan.chunks(range.from(), range.to(), chunk);
      for (Instant[] c : chunks) {
        long t0 = System.nanoTime();
        String label = label(c[0], c[1]);
        Dataset<Row> inChunk =
            kept.filter(ts.geq(lit(Timestamp.from(c[0]))).and(ts.lt(lit(Timestamp.from(c[1])))));
        Row stats =
            inChunk.agg(count(when(ParsedRecords.VALID, lit(1))), count(when(ParsedRecords.BAD, lit(1)))).first();
        long valid = stats.getLong(0);
        long chunkBad = stats.getLong(1);
        AggregateStore.Replaced w = store.replaceRange(new AggregateStore.Replacement(p, c[0], c[1], valid,
            d.aggregation().partials(inChunk.filter(ParsedRecords.VALID)).withColumn("revised_at",
                lit(Timestamp.from(now))),
            chunkBad == 0 ? null : Quarantine.bad(inChunk, p, AggregateStore.BACKFILL_BATCH_ID, now),
            now, allowFewerRecords, range.forcedBecause() != null));
        bad += chunkBad;
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (w.skipped()) {
          skipped.add(label);
          LOG.warn("backfill {} {}: SKIPPED, nothing written: the input has {} valid {} but the aggregates count {}"
                  + " for these hours (raw files missing or moved?); --allow-fewer-records replaces them anyway; {} ms",
              p.id, label, n(valid), unit, n(w.storedRecords()), ms);
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

  /**
   * Bad records without a timestamp: written with event_ts NULL, replacing the backfill's earlier untimed rows
   * from the same files (raw files do not change, so a rerun writes the same rows). Returns how many.
   */
  private long writeUntimedBad(Pipeline p, Dataset<Row> untimed, Instant now) {
    long n = untimed.count();
    if (n == 0) {
      return 0;
    }
    List<String> sources = untimed.select(ParsedRecords.SOURCE).distinct().collectAsList().stream()
        .map(r -> r.getString(0)).toList();
    store.replaceUntimedQuarantine(p,  sources,
        Quarantine.bad(untimed, p, AggregateStore.BACKFILL_BATCH_ID, now));
    LOG.warn("backfill {}: {} bad record(s) without a timestamp (in {} file(s)), quarantined with event_ts NULL",
        p.id, n(n), sources.size());
    return n;
  }

  /** Bad records by the start of their reason: {@code missing field: ts}, {@code wrong type: value}, ... */
  private static Map<String, Long> badByReason(Dataset<Row> bad) {
    Column reason = trim(regexp_extract(col(ParsedRecords.ERROR),
        "^((?:missing field|empty field|wrong type): \\w+|[^:']+)", 1));
    Map<String, Long> out = new LinkedHashMap<>();
    for (Row r : bad.groupBy(reason.as("reason")).count().orderBy(col("count").desc(), col("reason")).collectAsList()) {
      out.put(r.getString(0), r.getLong(1));
    }
    return out;
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

  /** What a backfill run is asked to do, and with what. All but {@code to} are required. */
  public static final class Builder {
    private SparkSession spark;
    private AggregateStore store;
    private ProgressStore progress;
    private RawFileSource files;
    private String format;
    private List<Pipeline> pipelines;
    private Instant from;
    private Instant to;
    private Duration chunk;
    private boolean force;
    private boolean allowFewerRecords;
    private ValidationRules rules;
    private Clock clock;

    private Builder() {}

    public Builder spark(SparkSession spark) {
      this.spark = spark;
      return this;
    }

    public Builder store(AggregateStore store, ProgressStore progress) {
      this.store = store;
      this.progress = progress;
      return this;
    }

    /** The raw files and their format ({@code json} or {@code csv}). */
    public Builder input(RawFileSource files, String format) {
      this.files = files;
      this.format = format;
      return this;
    }

    public Builder pipelines(List<Pipeline> pipelines) {
      this.pipelines = pipelines;
      return this;
    }

    /** The hours {@code [from, to)}; {@code to} null means each pipeline's finalized_before. */
    public Builder range(Instant from, Instant to) {
      this.from = from;
      this.to = to;
      return this;
    }

    public Builder chunk(Duration chunk) {
      this.chunk = chunk;
      return this;
    }

    public Builder force(boolean force) {
      this.force = force;
      return this;
    }

    public Builder allowFewerRecords(boolean allowFewerRecords) {
      this.allowFewerRecords = allowFewerRecords;
      return this;
    }

    public Builder rules(ValidationRules rules) {
      this.rules = rules;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public BackfillJob build() {
      return new BackfillJob(this);
    }
  }
}
