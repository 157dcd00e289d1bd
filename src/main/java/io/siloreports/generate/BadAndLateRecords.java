package io.siloreports.generate;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The generator's records off the regular minute-by-minute stream, planned by their own rules: bad records of every
 * kind, drawn when generation starts at random minutes and mixed into the day files as those minutes are written, and
 * late (valid) records, drawn once the day files are done, several days before the end. They come from the
 * generator's planning random stream, shared with its gap planning, so the generator calls them in a fixed order.
 */
final class BadAndLateRecords {
  /** Late records fall at least this far before the end (less when the whole range is shorter)... */
  static final int LATE_AT_LEAST_MINUTES_BEFORE_END = 2 * 1440;
  /** ...and at most this far. */
  static final int LATE_AT_MOST_MINUTES_BEFORE_END = 5 * 1440;

  private final GeneratorSpec spec;
  private final long startMinute;
  private final long endMinute;
  private final SplittableRandom planRandom;
  private final SiloLevelModel levels;
  private final String[] accountIds;
  private final Map<SampleStream, Deque<PlannedLine>> badLines = new EnumMap<>(SampleStream.class);
  private final Map<SampleStream, Map<BadRecordKind, Integer>> badCounts = new EnumMap<>(SampleStream.class);

  /** A line to mix into a day file at the start of {@code epochMinute}. */
  private record PlannedLine(long epochMinute, String text) {}

  /** Each pipeline's late records, in time order, and the minutes [from, until) they were drawn from. */
  record LateRecords(int perPipeline, CharSequence readings, CharSequence events, long fromMinute, long untilMinute) {}

  /** Plans the bad records of both pipelines, readings first. */
  BadAndLateRecords(GeneratorSpec spec, SplittableRandom planRandom, SiloLevelModel levels, String[] accountIds) {
    this.spec = spec;
    this.startMinute = spec.startMinute();
    this.endMinute = spec.endMinute();
    this.planRandom = planRandom;
    this.levels = levels;
    this.accountIds = accountIds;
    for (SampleStream pipeline : SampleStream.values()) {
      planBadLines(pipeline);
    }
  }

  /** {@code badPerKind} lines of each kind the pipeline has, at random minutes, cycling through the variants. */
  private void planBadLines(SampleStream pipeline) {
    List<PlannedLine> lines = new ArrayList<>();
    Map<BadRecordKind, Integer> counts = new EnumMap<>(BadRecordKind.class);
    for (BadRecordKind kind : pipeline.badRecordKinds()) {
      for (int variant = 0; variant < spec.badPerKind(); variant++) {
        long minute = startMinute + planRandom.nextLong(endMinute - startMinute);
        Instant ts = Instant.ofEpochMilli(minute * 60_000 + planRandom.nextInt(60_000));
        String text =
            pipeline == SampleStream.SILO_READINGS
                ? InputLines.badReading(kind, variant, randomSiloId(), ts, randomPlausibleCents())
                : InputLines.badEvent(kind, variant, randomRecordType(), randomAccountId(), ts);
        lines.add(new PlannedLine(minute, text + "\n"));
      }
      counts.put(kind, spec.badPerKind());
    }
    lines.sort(Comparator.comparingLong(PlannedLine::epochMinute)); // stable: ties keep their planned order
    badLines.put(pipeline, new ArrayDeque<>(lines));
    badCounts.put(pipeline, counts);
  }

  /** Appends the pipeline's bad lines planned for this minute (or before it), at the start of the minute. */
  void appendBadLines(SampleStream pipeline, long minute, StringBuilder out) {
    Deque<PlannedLine> planned = badLines.get(pipeline);
    while (!planned.isEmpty() && planned.peekFirst().epochMinute() <= minute) {
      out.append(planned.pollFirst().text());
    }
  }

  /** How many bad records of each kind each pipeline gets. */
  Map<SampleStream, Map<BadRecordKind, Integer>> badCounts() {
    return badCounts;
  }

  /**
   * Valid records whose times lie several days before the end, for a file that sorts and is modified after every
   * day file: by the time a stream reads it, their hours are long finalized. Draws them: call once, after the days.
   */
  LateRecords lateRecords() {
    long span = endMinute - startMinute;
    long lateUntil = endMinute - Math.min(LATE_AT_LEAST_MINUTES_BEFORE_END, span / 2);
    long lateFrom = Math.max(startMinute, endMinute - LATE_AT_MOST_MINUTES_BEFORE_END);
    int count = spec.latePerPipeline();
    long[] readingMillis = sortedRandomMillis(count, lateFrom, lateUntil);
    long[] eventMillis = sortedRandomMillis(count, lateFrom, lateUntil);

    StringBuilder readings = new StringBuilder();
    StringBuilder events = new StringBuilder();
    for (int i = 0; i < count; i++) {
      long minute = Math.floorDiv(readingMillis[i], 60_000);
      InputLines.appendReading(
          readings, randomSiloId(), InputLines.minutePrefix(minute),
          (int) (readingMillis[i] - minute * 60_000), randomPlausibleCents(), null);
      minute = Math.floorDiv(eventMillis[i], 60_000);
      InputLines.appendEvent(
          events, randomRecordType(), randomAccountId(), InputLines.minutePrefix(minute),
          (int) (eventMillis[i] - minute * 60_000) / 1000, null);
    }
    return new LateRecords(count, readings, events, lateFrom, lateUntil);
  }

  private long[] sortedRandomMillis(int count, long fromMinute, long untilMinute) {
    long[] millis = new long[count];
    for (int i = 0; i < count; i++) {
      millis[i] = fromMinute * 60_000 + planRandom.nextLong((untilMinute - fromMinute) * 60_000);
    }
    Arrays.sort(millis);
    return millis;
  }

  private int randomSiloId() {
    return 1 + planRandom.nextInt(spec.silos());
  }

  private long randomPlausibleCents() {
    return SiloLevelModel.toCents(levels.plausibleLevel(planRandom.nextInt(spec.silos()), planRandom));
  }

  private String randomRecordType() {
    return InputLines.RECORD_TYPES.get(planRandom.nextInt(InputLines.RECORD_TYPES.size()));
  }

  private String randomAccountId() {
    return accountIds[planRandom.nextInt(accountIds.length)];
  }
}
