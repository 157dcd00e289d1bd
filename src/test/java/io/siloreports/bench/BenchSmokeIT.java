package io.siloreports.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.testing.TestLogs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmarks and the crash campaign are not tests, but they must keep working: each runs here at a tiny size,
 * with its own check (equal aggregates, equal cells, nothing lost or doubled), which fails on any difference. The
 * figures are not looked at.
 */
class BenchSmokeIT {
  @TempDir
  Path work;

  /** The benches' child JVMs log under their work dir, which goes away: their logs are kept for the secret scan. */
  @AfterEach
  void keepLogs(TestInfo test) throws Exception {
    TestLogs.keep(work, "bench-smoke/" + test.getTestMethod().orElseThrow().getName());
  }

  private static String run(ThrowingRunnable bench) throws Exception {
    PrintStream out = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      bench.run();
    } finally {
      System.setOut(out);
    }
    String text = captured.toString(StandardCharsets.UTF_8);
    out.print(text);
    return text;
  }

  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  @Test
  void ingestBenchRunsBothSidesAndTheyAgree() throws Exception {
    String out = run(() -> IngestBench.main(new String[] {work.toString(), "3000", "20", "1", "1", "1g"}));
    assertTrue(out.contains("RESULT readings=3000") && out.contains("check=equal_rows=") && out.contains(" wall_ratio="),
        out);
  }

  @Test
  void aShortKillCampaignLosesAndDoublesNothing() throws Exception {
    // 30 files of 200 lines, kills within 2 s of a run's first commit: three kills before the files run out.
    String out = run(() -> KillCampaign.main(new String[] {work.toString(), "3", "30", "200", "7", "mysql", "files",
        "2000"}));
    assertTrue(out.contains("CAMPAIGN ") && out.contains(" lost=0 double=0 wrong_values=0")
        && out.contains(" buckets_wrong=0 ") && out.contains(" report_wrong=0 "), out);
    assertTrue(out.contains(" kills=3 "), "it killed three times: " + out);
    assertEquals(3, out.lines().filter(l -> l.startsWith("KILL ") && l.matches(".* landed: readings (mid_batch"
        + "|after_store_commit_before_checkpoint|between_batches|before_any_batch), events \\w+$")).count(),
        "each kill says where it landed: " + out);
  }

  @Test
  void reportBenchRunsBothSidesAndTheirCellsAgree() throws Exception {
    String out = run(() -> ReportBench.main(new String[] {work.toString(), "3", "2", "1", "1g,512m", "256m"}));
    assertTrue(out.contains("RESULT silos=3 days=2"), out);
    assertEquals(2, out.lines().filter(l -> l.startsWith("RESULT ") && l.endsWith("check=same_cells_sheets=3_rows=144"))
        .count(), "the run at each heap compared its cells with the program's: " + out);
  }
}
