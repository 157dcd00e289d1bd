package io.siloreports.jobstore;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;

/**
 * A separate JVM for {@link JdbcReportJobStoreTest}: waits for "go" on stdin, then tries to take and
 * complete jobs {@code job-0 .. job-(n-1)}, printing "won job-i" for each it took.
 *
 * <p>Args: the JDBC URL, the number of jobs.
 */
public final class JobTakingProcess {
  public static void main(String[] args) throws Exception {
    String url = args[0];
    int jobs = Integer.parseInt(args[1]);
    try (JdbcReportJobStore store = new JdbcReportJobStore(new io.siloreports.db.Jdbc(url, null, null), Clock.systemUTC())) {
      System.out.println("ready");
      System.out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      if (!"go".equals(in.readLine())) {
        throw new IllegalStateException("expected go on stdin");
      }
      for (int j = 0; j < jobs; j++) {
        String jobId = "job-" + j;
        if (store.markProcessing(jobId)) {
          if (!store.markCompleted(jobId, "reports/" + jobId + ".xlsx", "https://s3/" + jobId)) {
            throw new IllegalStateException("took " + jobId + " but could not complete it");
          }
          System.out.println("won " + jobId);
        }
      }
    }
    System.out.println("done");
  }
}
