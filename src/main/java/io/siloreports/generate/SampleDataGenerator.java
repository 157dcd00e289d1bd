package io.siloreports.generate;

import io.siloreports.generate.GeneratedManifest.ReadingGap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes JSON-lines input for the streaming job, deterministically for a {@link GeneratorSpec}. Longer than most
 * files: both streams and their gaps are written in one pass over the minutes so that the manifest counts exactly what
 * the files hold (the bad and late records are planned apart, in {@link BadAndLateRecords}).
 *
 * <p>It writes:
 *
 * <ul>
 *   <li>{@code <out>/silo-readings/readings-<yyyy-MM-dd>.jsonl}: one reading per silo per minute, at a random
 *       millisecond inside the minute, except about two random minutes per silo per day and one block of
 *       3 to 6 hours for one silo;
 *   <li>{@code <out>/activity-events/events-<yyyy-MM-dd>.jsonl}: Poisson arrivals per account and record type,
 *       busier around noon UTC;
 *   <li>bad records of every kind mixed into the day files, and late (valid) records, several days before
 *       the end, in {@code zz-late-<end date>.jsonl} in each directory;
 *   <li>{@code <out>/manifest.json}: what was written ({@link GeneratedManifest}).
 * </ul>
 *
 * <p>Lines in each file are in time order; file names sort in time order, and modification times increase
 * strictly in that order (a day file's time is the end of its day, the late file's one minute after the end),
 * because Spark's file source takes the oldest files first. Everything is streamed to disk a minute at a time,
 * so 1,000 silos over a year need no more memory than 6 silos over a day.
 */
public final class SampleDataGenerator {

  private static final Logger log = LoggerFactory.getLogger(SampleDataGenerator.class);

  /** Each silo misses one random minute per this many minutes of a day file (rounded): two per full day. */
  static final int MINUTES_PER_RANDOM_GAP = 720;

  static final int LONG_GAP_MIN_MINUTES = 180;
  static final int LONG_GAP_MAX_MINUTES = 360;

  private static final double EXTRA_FIELD_CHANCE = 0.004;

  /** Events per account per minute on a day's average, in {@link InputLines#RECORD_TYPES} order. */
  private static final double[] EVENTS_PER_ACCOUNT_MINUTE = {0.08, 0.05, 0.03, 0.015};

  private final GeneratorSpec spec;
  private final Path outDir;
  private final long startMinute;
  private final long endMinute;
  private final SplittableRandom readingRandom;
  private final SplittableRandom eventRandom;
  private final SplittableRandom planRandom;
  private final SiloLevelModel levels;
  private final String[] accountIds;
  private final double[][] eventRates;
  private final int longGapSilo;
  private final long longGapFrom;
  private final long longGapUntil;
  private final BadAndLateRecords badAndLate;

  // Reused per minute, so the work per minute allocates little.
  private final long[] readingOrder;
  private final long[] readingCents;
  private long[] eventOrder = new long[64];

  private long validReadings;
  private long missingReadingMinutes;
  private final long[] validEventsByType = new long[InputLines.RECORD_TYPES.size()];

  /** Generates the data set for {@code spec} under {@code outDir}, whose two input directories must be empty. */
  public static GeneratedManifest generate(GeneratorSpec spec, Path outDir) throws IOException {
    for (SampleStream pipeline : SampleStream.values()) {
      requireEmptyDirectory(outDir.resolve(pipeline.id()));
    }
    return new SampleDataGenerator(spec, outDir).run();
  }

  private SampleDataGenerator(GeneratorSpec spec, Path outDir) {
    this.spec = spec;
    this.outDir = outDir;
    this.startMinute = spec.startMinute();
    this.endMinute = spec.endMinute();
    // Separate streams per purpose: a change in how events are drawn does not move the readings.
    SplittableRandom root = new SplittableRandom(spec.seed());
    this.readingRandom = root.split();
    this.eventRandom = root.split();
    this.planRandom = root.split();

    this.levels = new SiloLevelModel(spec.silos(), planRandom);
    this.accountIds = new String[spec.accounts()];
    this.eventRates = new double[spec.accounts()][];
    for (int a = 0; a < spec.accounts(); a++) {
      accountIds[a] = InputLines.accountId(a);
      double activity = 0.5 + 1.5 * planRandom.nextDouble(); // some accounts are busier than others
      eventRates[a] = Arrays.stream(EVENTS_PER_ACCOUNT_MINUTE).map(rate -> rate * activity).toArray();
    }

    int gapLength = LONG_GAP_MIN_MINUTES + planRandom.nextInt(LONG_GAP_MAX_MINUTES - LONG_GAP_MIN_MINUTES + 1);
    this.longGapSilo = planRandom.nextInt(spec.silos());
    this.longGapFrom = startMinute + planRandom.nextLong(endMinute - startMinute - gapLength + 1);
    this.longGapUntil = longGapFrom + gapLength;

    this.badAndLate = new BadAndLateRecords(spec, planRandom, levels, accountIds);
    this.readingOrder = new long[spec.silos()];
    this.readingCents = new long[spec.silos()];
  }

  private GeneratedManifest run() throws IOException {
    log.info(
        "Generating sample data into {}: {} silos, {} accounts, {} days [{}, {}), seed {}",
        outDir, spec.silos(), spec.accounts(), spec.days(), spec.start(), spec.end(), spec.seed());
    LocalDate firstDay = dayOf(startMinute);
    LocalDate lastDay = dayOf(endMinute - 1);
    long dayFiles = ChronoUnit.DAYS.between(firstDay, lastDay) + 1;
    int dayNumber = 0;
    for (LocalDate day = firstDay; !day.isAfter(lastDay); day = day.plusDays(1)) {
      long dayStart = day.atStartOfDay(ZoneOffset.UTC).toEpochSecond() / 60;
      writeDay(day, Math.max(startMinute, dayStart), Math.min(endMinute, dayStart + 1440), ++dayNumber, dayFiles);
    }
    Map<SampleStream, Integer> late = writeLateFiles();

    Map<String, Long> eventsByType = new LinkedHashMap<>();
    for (int t = 0; t < validEventsByType.length; t++) {
      eventsByType.put(InputLines.RECORD_TYPES.get(t), validEventsByType[t]);
    }
    GeneratedManifest manifest =
        new GeneratedManifest(
            spec.seed(), spec.start(), spec.end(), spec.silos(), spec.accounts(),
            validReadings, missingReadingMinutes,
            new ReadingGap(longGapSilo + 1, minuteInstant(longGapFrom), minuteInstant(longGapUntil)),
            eventsByType, badAndLate.badCounts(), late);
    Path manifestFile = outDir.resolve("manifest.json");
    manifest.writeJson(manifestFile);
    log.info(
        "Sample data ready: {} readings, {} events, {} + {} bad records, {} + {} late records; manifest {}",
        validReadings, manifest.validEvents(),
        manifest.badRecords(SampleStream.SILO_READINGS), manifest.badRecords(SampleStream.ACTIVITY_EVENTS),
        late.get(SampleStream.SILO_READINGS), late.get(SampleStream.ACTIVITY_EVENTS), manifestFile);
    return manifest;
  }

  /** Writes both day files for the minutes [from, until) of {@code day}. */
  private void writeDay(LocalDate day, long from, long until, int dayNumber, long dayFiles) throws IOException {
    long readingsBefore = validReadings;
    long eventsBefore = Arrays.stream(validEventsByType).sum();
    BitSet randomGaps = pickRandomGaps(from, until);
    try (PublishedFile readings = new PublishedFile(dayFile(SampleStream.SILO_READINGS, day));
        PublishedFile events = new PublishedFile(dayFile(SampleStream.ACTIVITY_EVENTS, day))) {
      StringBuilder readingText = new StringBuilder(1 << 17);
      StringBuilder eventText = new StringBuilder(1 << 12);
      for (long minute = from; minute < until; minute++) {
        String minutePrefix = InputLines.minutePrefix(minute);
        badAndLate.appendBadLines(SampleStream.SILO_READINGS, minute, readingText);
        appendReadings(minute, minutePrefix, randomGaps, (int) (minute - from), readingText);
        badAndLate.appendBadLines(SampleStream.ACTIVITY_EVENTS, minute, eventText);
        appendEvents(minute, minutePrefix, eventText);
        if (readingText.length() >= 1 << 16) {
          readings.write(readingText);
          readingText.setLength(0);
        }
        if (eventText.length() >= 1 << 16) {
          events.write(eventText);
          eventText.setLength(0);
        }
      }
      readings.write(readingText);
      events.write(eventText);
      readings.publish(minuteInstant(until));
      events.publish(minuteInstant(until));
    }
    log.info(
        "Wrote day {} of {}: {} readings to {}, {} events to {}",
        dayNumber, dayFiles, validReadings - readingsBefore, dayFile(SampleStream.SILO_READINGS, day).getFileName(),
        Arrays.stream(validEventsByType).sum() - eventsBefore, dayFile(SampleStream.ACTIVITY_EVENTS, day).getFileName());
  }

  /**
   * One reading per silo for this minute, in time order. Every silo's level moves on, also where its reading
   * is missing.
   */
  private void appendReadings(
      long minute, String minutePrefix, BitSet randomGaps, int minuteOfFile, StringBuilder out) {
    int silos = spec.silos();
    int count = 0;
    for (int s = 0; s < silos; s++) {
      double level = levels.nextMinute(s, minute, readingRandom);
      boolean missing =
          randomGaps.get(minuteOfFile * silos + s)
              || (s == longGapSilo && minute >= longGapFrom && minute < longGapUntil);
      if (missing) {
        missingReadingMinutes++;
        continue;
      }
      readingCents[s] = SiloLevelModel.toCents(level);
      readingOrder[count++] = ((long) readingRandom.nextInt(60_000) << 32) | s;
    }
    Arrays.sort(readingOrder, 0, count); // by millisecond in the minute, then silo
    for (int i = 0; i < count; i++) {
      int s = (int) readingOrder[i];
      int millis = (int) (readingOrder[i] >>> 32);
      InputLines.appendReading(
          out, s + 1, minutePrefix, millis, readingCents[s], extraField(InputLines.EXTRA_READING_FIELDS, readingRandom));
    }
    validReadings += count;
  }

  /** Poisson arrivals per account and record type for this minute, quiet at night and busiest at noon UTC. */
  private void appendEvents(long minute, String minutePrefix, StringBuilder out) {
    int types = InputLines.RECORD_TYPES.size();
    double dailyCycle = 1 + 0.8 * Math.sin(2 * Math.PI * (Math.floorMod(minute, 1440) - 360) / 1440.0);
    int count = 0;
    for (int a = 0; a < accountIds.length; a++) {
      for (int t = 0; t < types; t++) {
        for (int k = poisson(eventRates[a][t] * dailyCycle, eventRandom); k > 0; k--) {
          if (count == eventOrder.length) {
            eventOrder = Arrays.copyOf(eventOrder, 2 * count);
          }
          eventOrder[count++] = ((long) eventRandom.nextInt(60) << 32) | ((long) a * types + t);
        }
      }
    }
    Arrays.sort(eventOrder, 0, count); // by second, then account and type
    for (int i = 0; i < count; i++) {
      int accountAndType = (int) eventOrder[i];
      int t = accountAndType % types;
      InputLines.appendEvent(
          out, InputLines.RECORD_TYPES.get(t), accountIds[accountAndType / types], minutePrefix,
          (int) (eventOrder[i] >>> 32), extraField(InputLines.EXTRA_EVENT_FIELDS, eventRandom));
      validEventsByType[t]++;
    }
  }

  /**
   * Each silo's random missing minutes in [from, until), as bits (minute of the file * silos + silo index).
   * They avoid the long gap, so a day has exactly its share of random gaps outside it.
   */
  private BitSet pickRandomGaps(long from, long until) {
    int minutes = (int) (until - from);
    int perSilo = (int) Math.round((double) minutes / MINUTES_PER_RANDOM_GAP);
    int silos = spec.silos();
    int coveredByLongGap = (int) Math.max(0, Math.min(until, longGapUntil) - Math.max(from, longGapFrom));
    BitSet gaps = new BitSet(minutes * silos);
    for (int s = 0; s < silos; s++) {
      // A short day file can lie wholly inside the long gap: then there is no minute left to pick.
      int freeMinutes = s == longGapSilo ? minutes - coveredByLongGap : minutes;
      for (int i = 0; i < Math.min(perSilo, freeMinutes); i++) {
        int minute;
        do {
          minute = planRandom.nextInt(minutes);
        } while (gaps.get(minute * silos + s)
            || (s == longGapSilo && from + minute >= longGapFrom && from + minute < longGapUntil));
        gaps.set(minute * silos + s);
      }
    }
    return gaps;
  }

  /** The late records, in a file that sorts and is modified after every day file (see {@link BadAndLateRecords}). */
  private Map<SampleStream, Integer> writeLateFiles() throws IOException {
    BadAndLateRecords.LateRecords late = badAndLate.lateRecords();
    String name = "zz-late-" + dayOf(endMinute) + ".jsonl";
    Instant modified = spec.end().plusSeconds(60);
    publish(outDir.resolve(SampleStream.SILO_READINGS.id()).resolve(name), late.readings(), modified);
    publish(outDir.resolve(SampleStream.ACTIVITY_EVENTS.id()).resolve(name), late.events(), modified);
    log.info(
        "Wrote {} late readings and {} late events between {} and {} to {}",
        late.perPipeline(), late.perPipeline(), minuteInstant(late.fromMinute()), minuteInstant(late.untilMinute()),
        name);
    Map<SampleStream, Integer> counts = new EnumMap<>(SampleStream.class);
    counts.put(SampleStream.SILO_READINGS, late.perPipeline());
    counts.put(SampleStream.ACTIVITY_EVENTS, late.perPipeline());
    return counts;
  }

  private static void publish(Path file, CharSequence text, Instant modified) throws IOException {
    try (PublishedFile out = new PublishedFile(file)) {
      out.write(text);
      out.publish(modified);
    }
  }

  private static String extraField(List<String> fields, SplittableRandom random) {
    return random.nextDouble() < EXTRA_FIELD_CHANCE ? fields.get(random.nextInt(fields.size())) : null;
  }

  /** Knuth's method; fine for the small means used here (well under 1 per minute). */
  static int poisson(double mean, SplittableRandom random) {
    double limit = Math.exp(-mean);
    int k = 0;
    for (double p = random.nextDouble(); p > limit; p *= random.nextDouble()) {
      k++;
    }
    return k;
  }

  private Path dayFile(SampleStream pipeline, LocalDate day) {
    return outDir.resolve(pipeline.id()).resolve(pipeline.dayFilePrefix() + "-" + day + ".jsonl");
  }

  private static LocalDate dayOf(long epochMinute) {
    return LocalDate.ofEpochDay(Math.floorDiv(epochMinute, 1440));
  }

  private static Instant minuteInstant(long epochMinute) {
    return Instant.ofEpochSecond(epochMinute * 60);
  }

  /** Creates the directory, or refuses one that already holds data: two data sets mixed would both be wrong. */
  private static void requireEmptyDirectory(Path dir) throws IOException {
    Files.createDirectories(dir);
    try (Stream<Path> entries = Files.list(dir)) {
      List<Path> visible = entries.filter(p -> !p.getFileName().toString().startsWith(".")).toList();
      if (!visible.isEmpty()) {
        throw new IllegalStateException(
            dir + " already holds " + visible.size() + " files (e.g. " + visible.get(0).getFileName()
                + "); generate into an empty directory so the stream sees one data set");
      }
    }
  }
}
