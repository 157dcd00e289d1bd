package io.siloreports.generate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * What {@link SampleDataGenerator} wrote, so tests and runs can check the pipelines against it.
 *
 * @param start inclusive start of the time range of the valid records
 * @param end exclusive end of that range
 * @param validReadings valid readings in the day files; the late ones are only in {@code lateRecords}
 * @param missingReadingMinutes silo-minutes without a reading: the random gaps plus {@code longGap}
 * @param longGap the block of minutes one silo has no readings for
 * @param validEventsByType valid events in the day files per record type; late ones excluded as above
 * @param badRecords per pipeline, bad records written of each kind (all in the day files)
 * @param lateRecords per pipeline, valid records in the {@code zz-late-*} file, all several days before end
 */
public record GeneratedManifest(
    long seed,
    Instant start,
    Instant end,
    int silos,
    int accounts,
    long validReadings,
    long missingReadingMinutes,
    ReadingGap longGap,
    Map<String, Long> validEventsByType,
    Map<SampleStream, Map<BadRecordKind, Integer>> badRecords,
    Map<SampleStream, Integer> lateRecords) {

  /** Silo {@code siloId} has no readings in [from, until). */
  public record ReadingGap(int siloId, Instant from, Instant until) {}

  public long validEvents() {
    return validEventsByType.values().stream().mapToLong(Long::longValue).sum();
  }

  public int badRecords(SampleStream pipeline) {
    return badRecords.get(pipeline).values().stream().mapToInt(Integer::intValue).sum();
  }

  /** Writes the manifest as indented JSON, with pipelines and kinds under the names the files use. */
  public void writeJson(Path file) throws IOException {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = json.createObjectNode();
    root.put("seed", seed);
    root.put("start", start.toString());
    root.put("end", end.toString());
    root.put("silos", silos);
    root.put("accounts", accounts);
    for (SampleStream pipeline : SampleStream.values()) {
      ObjectNode node = root.putObject(pipeline.id());
      if (pipeline == SampleStream.SILO_READINGS) {
        node.put("valid", validReadings);
        node.put("missingReadingMinutes", missingReadingMinutes);
        ObjectNode gap = node.putObject("longGap");
        gap.put("siloId", longGap.siloId());
        gap.put("from", longGap.from().toString());
        gap.put("until", longGap.until().toString());
      } else {
        node.put("valid", validEvents());
        ObjectNode byType = node.putObject("validByType");
        validEventsByType.forEach(byType::put);
      }
      node.put("late", lateRecords.get(pipeline));
      node.put("badTotal", badRecords(pipeline));
      ObjectNode bad = node.putObject("bad");
      badRecords.get(pipeline).forEach((kind, count) -> bad.put(kind.label(), count));
    }
    json.writeValue(file.toFile(), root);
  }
}
