package io.siloreports.cli;

import io.siloreports.config.Keys;
import io.siloreports.config.Settings;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.JobOutcome;
import io.siloreports.model.Pipeline;
import io.siloreports.spark.SessionSource;
import io.siloreports.store.StoreQueries;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code buckets}: the committed 1/5/15/60-minute activity counts of a record type (one account or all) in a range,
 * and seed 002's cross-check over them: every size counts the same events. No Spark needed.
 */
final class BucketsCommand extends Command {
  BucketsCommand() {
    super("buckets", "show the 1/5/15/60-minute activity counts of a record type and range, cross-checked", CONSOLE,
        "record-type", Keys.BUCKETS_RECORD_TYPE,
        "account", Keys.BUCKETS_ACCOUNT,
        "from", Keys.BUCKETS_FROM,
        "to", Keys.BUCKETS_TO,
        "minutes", Keys.BUCKETS_MINUTES,
        "limit", Keys.BUCKETS_LIMIT,
        "warehouse", Keys.WAREHOUSE_DIR);
  }

  @Override
  JobOutcome run(Settings settings, SessionSource sessions) {
    BucketsConfig config = BucketsConfig.from(settings, Clock.systemUTC());
    if (config.store().mysql()) {
      Wiring.prepareAggregates(config.store().db(), config.migrateOnStart());
    }
    StoreQueries queries = Wiring.storeQueries(config.store(), config.sparkConf());
    System.out.println(config.recordType() + " / " + (config.accountId() == null ? "all accounts" : config.accountId())
        + ", buckets starting in [" + config.from() + ", " + config.to() + "), from " + config.store().describe());
    Map<Integer, long[]> totals = new LinkedHashMap<>();
    boolean truncated = false;
    for (int m : config.minutes()) {
      List<StoreQueries.BucketCount> rows =
          queries.buckets(config.recordType(), config.accountId(), m, config.from(), config.to(), config.limit());
      truncated |= rows.size() >= config.limit();
      long total = 0;
      System.out.printf("%n%d-minute buckets%n%-40s %-22s %10s%n", m, "account", "bucket start (UTC)", "count");
      for (StoreQueries.BucketCount b : rows) {
        System.out.printf("%-40s %-22s %10d%n", b.accountId(), b.start(), b.count());
        total += b.count();
      }
      totals.put(m, new long[] {rows.size(), total});
    }
    System.out.println();
    for (Map.Entry<Integer, long[]> t : totals.entrySet()) {
      System.out.printf(Locale.ROOT, "%5dmin: %6d buckets, %,10d records%n", t.getKey(), t.getValue()[0],
          t.getValue()[1]);
    }
    if (truncated) {
      return new Done(false, "more than --limit " + config.limit() + " buckets of one size: narrow the range or the"
          + " account, or raise --limit");
    }
    long first = totals.values().iterator().next()[1];
    boolean same = totals.values().stream().allMatch(t -> t[1] == first);
    boolean wholeHours = config.from().getEpochSecond() % 3600 == 0 && config.to().getEpochSecond() % 3600 == 0;
    Optional<AggregationProgress> committed =
        Wiring.progressStore(config.store(), config.sparkConf()).last(Pipeline.ACTIVITY_EVENTS);
    Instant now = Clock.systemUTC().instant();
    List<Integer> cut = config.minutes().stream().filter(m -> {
      Instant cutoff = config.store().retention().bucketCutoff(m, now, committed);
      return cutoff != null && config.from().isBefore(cutoff);
    }).toList();
    if (totals.size() > 1 && wholeHours && !cut.isEmpty()) {
      return new Done(true, "Cross-check skipped: retention (retention.buckets.*) may have removed the oldest "
          + cut + "-minute buckets of this range");
    }
    if (totals.size() > 1 && wholeHours) {
      System.out.printf(Locale.ROOT, "Cross-check: %,d records in every bucket size %s%n", first, same ? "✓" : "✗");
      return new Done(same, same ? "" : "bucket sizes disagree: " + totals.keySet() + " count different totals");
    }
    return new Done(true, "");
  }
}
