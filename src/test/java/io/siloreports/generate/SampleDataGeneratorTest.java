package io.siloreports.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * <p>Longer than most test classes: every property of the generated files is checked against the manifest in its own test.
 *
 * Generates 3 silos x 2 days once and re-reads the files with Jackson and plain string checks, classifying
 * every line by the documented input rules (docs/architecture.md, invariant 3), independently of the generator's own code.
 */
class SampleDataGeneratorTest {

  private static final Instant START = Instant.parse("2026-11-23T00:00:00Z");
  private static final Instant END = Instant.parse("2026-11-25T00:00:00Z");
  private static final int SILOS = 3;
  private static final GeneratorSpec SPEC = new GeneratorSpec(SILOS, 2, END, 2, 7, 4, 6);
  private static final Set<String> RECORD_TYPES = Set.of("items", "scoreResults", "tasks", "evaluations");
  private static final String VALID = "valid";

  /** Like Spark's JSON reader, NaN and Infinity parse as numbers; trailing garbage does not pass. */
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  @TempDir static Path out;
  private static GeneratedManifest manifest;

  @BeforeAll
  static void generate() throws IOException {
    manifest = SampleDataGenerator.generate(SPEC, out);
  }

  @Test
  void everySiloHasOneReadingPerMinuteExceptAFewRandomMinutesAndOneLongGap() throws IOException {
    Map<Integer, Set<Long>> minutesBySilo = new HashMap<>();
    long valid = 0;
    for (Path file : dayFiles("silo-readings")) {
      for (String line : Files.readAllLines(file)) {
        if (classifyReading(line).equals(VALID)) {
          JsonNode reading = JSON.readTree(line);
          long minute = Instant.parse(reading.get("ts").asText()).getEpochSecond() / 60;
          assertTrue(
              minutesBySilo.computeIfAbsent(reading.get("silo_id").asInt(), s -> new HashSet<>()).add(minute),
              "two readings in one minute: " + line);
          valid++;
        }
      }
    }
    assertEquals(Set.of(1, 2, 3), minutesBySilo.keySet());
    assertEquals(manifest.validReadings(), valid);

    GeneratedManifest.ReadingGap gap = manifest.longGap();
    long gapMinutes = Duration.between(gap.from(), gap.until()).toMinutes();
    assertTrue(gapMinutes >= 120 && gapMinutes <= 6 * 60, "a long gap of a few hours, not " + gapMinutes);
    assertTrue(!gap.from().isBefore(START) && !gap.until().isAfter(END), gap.toString());

    long startMinute = START.getEpochSecond() / 60;
    long missingInTotal = 0;
    for (int silo = 1; silo <= SILOS; silo++) {
      Map<LocalDate, Integer> randomMissesByDay = new TreeMap<>();
      for (long minute = startMinute; minute < startMinute + 2 * 1440; minute++) {
        Instant at = Instant.ofEpochSecond(minute * 60);
        boolean inLongGap = silo == gap.siloId() && !at.isBefore(gap.from()) && at.isBefore(gap.until());
        boolean present = minutesBySilo.get(silo).contains(minute);
        if (inLongGap) {
          assertFalse(present, "silo " + silo + " has a reading inside its long gap at " + at);
        }
        if (!present) {
          missingInTotal++;
          if (!inLongGap) {
            randomMissesByDay.merge(LocalDate.ofInstant(at, ZoneOffset.UTC), 1, Integer::sum);
          }
        }
      }
      for (LocalDate day : List.of(LocalDate.parse("2026-11-23"), LocalDate.parse("2026-11-24"))) {
        int misses = randomMissesByDay.getOrDefault(day, 0);
        assertTrue(misses >= 1 && misses <= 5, "silo " + silo + " misses " + misses + " random minutes on " + day);
      }
    }
    assertEquals(manifest.missingReadingMinutes(), missingInTotal);
    assertEquals(SILOS * 2 * 1440, valid + missingInTotal);
  }

  @Test
  void badRecordCountsInTheManifestAreWhatTheFilesHold() throws IOException {
    Map<String, Integer> badReadings = new TreeMap<>();
    for (Path file : dayFiles("silo-readings")) {
      for (String line : Files.readAllLines(file)) {
        String verdict = classifyReading(line);
        if (!verdict.equals(VALID)) {
          badReadings.merge(verdict, 1, Integer::sum);
        }
      }
    }
    Map<String, Integer> badEvents = new TreeMap<>();
    Map<String, Long> validEvents = new TreeMap<>();
    for (Path file : dayFiles("activity-events")) {
      for (String line : Files.readAllLines(file)) {
        String verdict = classifyEvent(line);
        if (verdict.equals(VALID)) {
          validEvents.merge(JSON.readTree(line).get("record_type").asText(), 1L, Long::sum);
        } else {
          badEvents.merge(verdict, 1, Integer::sum);
        }
      }
    }

    // 4 of each kind (SPEC.badPerKind), every kind that applies to the pipeline.
    assertEquals(
        Map.of("unparseable_json", 4, "missing_field", 4, "wrong_type", 4, "non_finite_value", 4,
            "absurd_timestamp", 4),
        badReadings);
    assertEquals(
        Map.of("unparseable_json", 4, "missing_field", 4, "wrong_type", 4, "absurd_timestamp", 4,
            "unknown_record_type", 4),
        badEvents);
    assertEquals(badReadings, labelled(manifest.badRecords().get(SampleStream.SILO_READINGS)));
    assertEquals(badEvents, labelled(manifest.badRecords().get(SampleStream.ACTIVITY_EVENTS)));
    assertEquals(new TreeMap<>(manifest.validEventsByType()), validEvents);
    assertEquals(RECORD_TYPES, validEvents.keySet());
  }

  @Test
  void lateRecordsAreValidAtLeastADayBeforeTheEndAndInTheLateFile() throws IOException {
    Instant atLeastADayBeforeEnd = END.minus(Duration.ofDays(1));
    Map<String, Integer> lateCounts = new HashMap<>();
    for (String pipeline : List.of("silo-readings", "activity-events")) {
      Path late = out.resolve(pipeline).resolve("zz-late-2026-11-25.jsonl");
      List<String> lines = Files.readAllLines(late);
      for (String line : lines) {
        String verdict = pipeline.equals("silo-readings") ? classifyReading(line) : classifyEvent(line);
        assertEquals(VALID, verdict, line);
        Instant ts = Instant.parse(JSON.readTree(line).get("ts").asText());
        assertTrue(ts.isBefore(atLeastADayBeforeEnd), "not late enough: " + line);
      }
      lateCounts.put(pipeline, lines.size());
    }
    assertEquals(Map.of("silo-readings", 6, "activity-events", 6), lateCounts);
    assertEquals(6, manifest.lateRecords().get(SampleStream.SILO_READINGS));
    assertEquals(6, manifest.lateRecords().get(SampleStream.ACTIVITY_EVENTS));
  }

  @Test
  void validLinesAreInTimeOrderInTheirDaysFileWithinRangeAndHaveTwoDecimalValues() throws IOException {
    Pattern readingText =
        Pattern.compile(
            "\\{\"silo_id\": \\d+, \"ts\": \"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\","
                + " \"value\": \\d{1,3}\\.\\d{2}(, .*)?}");
    int withExtraFields = 0;
    for (String pipeline : List.of("silo-readings", "activity-events")) {
      for (Path file : allFiles(pipeline)) {
        Instant previous = Instant.MIN;
        for (String line : Files.readAllLines(file)) {
          boolean readings = pipeline.equals("silo-readings");
          if (!(readings ? classifyReading(line) : classifyEvent(line)).equals(VALID)) {
            continue;
          }
          JsonNode record = JSON.readTree(line);
          Instant ts = Instant.parse(record.get("ts").asText());
          assertTrue(!ts.isBefore(START) && ts.isBefore(END), "outside the range: " + line);
          assertFalse(ts.isBefore(previous), "out of order in " + file.getFileName() + ": " + line);
          previous = ts;
          if (!file.getFileName().toString().startsWith("zz-late")) {
            String day = LocalDate.ofInstant(ts, ZoneOffset.UTC).toString();
            assertTrue(file.getFileName().toString().endsWith("-" + day + ".jsonl"), file + ": " + line);
          }
          if (readings) {
            assertTrue(readingText.matcher(line).matches(), "not a 2-decimal reading: " + line);
            double value = record.get("value").asDouble();
            assertTrue(value >= 0 && value <= 100, "fill level out of 0..100: " + line);
          }
          if (record.size() > 3) {
            withExtraFields++;
          }
        }
      }
    }
    assertTrue(withExtraFields > 0, "some valid lines carry an extra field to be ignored");
  }

  @Test
  void eventsArriveIrregularlyOverSeveralAccounts() throws IOException {
    Map<Long, Integer> eventsPerMinute = new HashMap<>();
    Set<String> accounts = new HashSet<>();
    for (Path file : dayFiles("activity-events")) {
      for (String line : Files.readAllLines(file)) {
        if (classifyEvent(line).equals(VALID)) {
          JsonNode event = JSON.readTree(line);
          accounts.add(event.get("account_id").asText());
          eventsPerMinute.merge(Instant.parse(event.get("ts").asText()).getEpochSecond() / 60, 1, Integer::sum);
        }
      }
    }
    int minutes = 2 * 1440;
    long quietMinutes = minutes - eventsPerMinute.size();
    long busyMinutes = eventsPerMinute.values().stream().filter(n -> n >= 2).count();
    assertTrue(quietMinutes > minutes / 3, "many minutes without events, got " + quietMinutes);
    assertTrue(busyMinutes > 10, "some minutes with several events, got " + busyMinutes);
    assertEquals(Set.of("acc-001", "acc-002"), accounts);
  }

  @Test
  void fileTimesIncreaseStrictlyInNameOrderWithTheLateFileLast() throws IOException {
    Map<String, String> prefixes = Map.of("silo-readings", "readings", "activity-events", "events");
    for (String pipeline : List.of("silo-readings", "activity-events")) {
      List<Path> files = allFiles(pipeline);
      String prefix = prefixes.get(pipeline);
      assertEquals(
          List.of(prefix + "-2026-11-23.jsonl", prefix + "-2026-11-24.jsonl", "zz-late-2026-11-25.jsonl"),
          files.stream().map(p -> p.getFileName().toString()).toList());
      for (int i = 1; i < files.size(); i++) {
        assertTrue(
            Files.getLastModifiedTime(files.get(i - 1)).compareTo(Files.getLastModifiedTime(files.get(i))) < 0,
            files.get(i - 1) + " is not older than " + files.get(i));
      }
      try (Stream<Path> leftovers = Files.list(out.resolve(pipeline))) {
        assertEquals(List.of(), leftovers.filter(p -> p.getFileName().toString().startsWith(".")).toList());
      }
    }
    assertTrue(Files.exists(out.resolve("manifest.json")));
  }

  @Test
  void theSameSpecWritesTheSameBytesAndTimesAndAnotherSeedDoesNot(@TempDir Path again, @TempDir Path other)
      throws IOException {
    GeneratedManifest second = SampleDataGenerator.generate(SPEC, again);
    assertEquals(manifest, second);
    List<String> names = relativeFiles(out);
    assertEquals(names, relativeFiles(again));
    for (String name : names) {
      assertArrayEquals(Files.readAllBytes(out.resolve(name)), Files.readAllBytes(again.resolve(name)), name);
      if (!name.equals("manifest.json")) { // the input files' times are part of the data; the manifest's is not
        assertEquals(
            Files.getLastModifiedTime(out.resolve(name)), Files.getLastModifiedTime(again.resolve(name)), name);
      }
    }

    GeneratorSpec otherSeed = new GeneratorSpec(SILOS, 2, END, 2, 8, 4, 6);
    SampleDataGenerator.generate(otherSeed, other);
    String day = "silo-readings/readings-2026-11-24.jsonl";
    assertFalse(
        java.util.Arrays.equals(Files.readAllBytes(out.resolve(day)), Files.readAllBytes(other.resolve(day))));
  }

  @Test
  void aDirectoryThatAlreadyHoldsDataIsRefused() {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> SampleDataGenerator.generate(SPEC, out));
    assertTrue(e.getMessage().contains("silo-readings"), e.getMessage());
  }

  @Test
  void aSpecOutsideWholeMinutesOrWithNothingToGenerateIsRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new GeneratorSpec(3, 2, Instant.parse("2026-11-25T00:00:30Z"), 2, 7, 4, 6));
    assertThrows(IllegalArgumentException.class, () -> new GeneratorSpec(0, 2, END, 2, 7, 4, 6));
    assertThrows(IllegalArgumentException.class, () -> new GeneratorSpec(3, 0, END, 2, 7, 4, 6));
  }

  /** "valid" or the kind of bad record, by the documented rules for silo-readings. */
  private static String classifyReading(String line) {
    JsonNode record = parse(line);
    if (record == null) {
      return "unparseable_json";
    }
    if (!record.hasNonNull("silo_id") || !record.hasNonNull("ts") || !record.hasNonNull("value")) {
      return "missing_field";
    }
    if (!record.get("silo_id").isInt() || !record.get("ts").isTextual() || !record.get("value").isNumber()) {
      return "wrong_type";
    }
    if (!Double.isFinite(record.get("value").doubleValue())) {
      return "non_finite_value";
    }
    return inRange(record.get("ts").asText()) ? VALID : "absurd_timestamp";
  }

  /** "valid" or the kind of bad record, by the documented rules for activity-events. */
  private static String classifyEvent(String line) {
    JsonNode record = parse(line);
    if (record == null) {
      return "unparseable_json";
    }
    if (!record.hasNonNull("record_type") || !record.hasNonNull("account_id") || !record.hasNonNull("ts")) {
      return "missing_field";
    }
    if (!record.get("record_type").isTextual()
        || !record.get("account_id").isTextual()
        || !record.get("ts").isTextual()) {
      return "wrong_type";
    }
    if (!inRange(record.get("ts").asText())) {
      return "absurd_timestamp";
    }
    return RECORD_TYPES.contains(record.get("record_type").asText()) ? VALID : "unknown_record_type";
  }

  private static JsonNode parse(String line) {
    try {
      JsonNode node = JSON.readTree(line);
      return node != null && node.isObject() ? node : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static boolean inRange(String ts) {
    try {
      Instant at = Instant.parse(ts);
      return !at.isBefore(START) && at.isBefore(END);
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  private static Map<String, Integer> labelled(Map<BadRecordKind, Integer> byKind) {
    Map<String, Integer> labelled = new TreeMap<>();
    byKind.forEach((kind, count) -> labelled.put(kind.label(), count));
    return labelled;
  }

  /** Visible files of a pipeline's directory in name order, the late file included. */
  private static List<Path> allFiles(String pipeline) throws IOException {
    try (Stream<Path> files = Files.list(out.resolve(pipeline))) {
      return files.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
    }
  }

  private static List<Path> dayFiles(String pipeline) throws IOException {
    List<Path> days = new ArrayList<>(allFiles(pipeline));
    days.removeIf(p -> p.getFileName().toString().startsWith("zz-late"));
    return days;
  }

  private static List<String> relativeFiles(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
    }
  }
}
