package io.siloreports.worker.submit;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * A runner for {@link WarmSubmitterTest}: it speaks the protocol of {@code cli.WarmReportRunner} (marked answers on
 * stdout, {@code run <job id>} lines on stdin) without a report. args: {@code <max reports> <warm-up ms>}. A job id
 * containing {@code slow} runs a minute, {@code brief} 2 s, {@code spark} needs Spark, {@code fail} fails; any other completes at once.
 */
public final class FakeWarmRunner {
  static final String MARK = "\u0001fake-runner ";

  private FakeWarmRunner() {}

  public static void main(String[] args) throws Exception {
    int max = Integer.parseInt(args[0]);
    Thread.sleep(Long.parseLong(args[1]));
    System.out.println("fake runner " + ProcessHandle.current().pid() + ": warmed up");
    System.out.println(MARK + "ready");
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    int ran = 0;
    for (String line; (line = in.readLine()) != null; ) {
      String id = line.substring("run ".length());
      System.out.println(MARK + "started " + id);
      System.out.println("report " + id + ": in runner " + ProcessHandle.current().pid());
      System.out.flush();
      if (id.contains("slow")) {
        Thread.sleep(60_000);
      } else if (id.contains("brief")) {
        Thread.sleep(2_000);
      }
      String result = id.contains("spark") ? "spark" : id.contains("fail") ? "failed" : "completed";
      boolean retire = ++ran >= max;
      System.out.println(MARK + "done " + id + " " + result + (retire ? " retire" : " keep"));
      System.out.flush();
      if (retire) {
        break;
      }
    }
    System.exit(0);
  }
}
