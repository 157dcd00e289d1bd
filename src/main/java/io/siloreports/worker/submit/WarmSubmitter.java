package io.siloreports.worker.submit;

import io.siloreports.jobstore.ReportJob;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local submitter with warm runners: each report first goes to a child JVM the worker keeps (started once, with
 * the local submitter's JVM options, arguments and environment, reused for {@code maxReports} reports), which runs it
 * as {@code report --job-id X} would, one report at a time, writing its lines to {@code <log dir>/<job id>.log}. A
 * report that needs Spark is handed back by the runner (its job SUBMITTED again) and started here through
 * spark-submit, as {@link LocalSubmitter} always does. A runner that dies (a crash, a kill, a timed-out job's cancel)
 * ends its report's run with its exit code, so the worker settles that job FAILED like any ended run, and the next
 * report gets a new runner. A runner is kept spare: two start with the worker, one more whenever a report takes the
 * last idle runner or fewer than two are left (one retired or died), and more than two idle ones are stopped, so
 * neither a second report at once nor a runner's retirement waits for a JVM to start and warm up.
 * The protocol is the runner's ({@code cli.WarmReportRunner}): {@code run <job id>} lines in, marked answers out.
 *
 * <p>Longer than most files: the pool, each runner's pump (answers and per-report logs) and the hand-over to
 * spark-submit share the runners' state, so they stay in one class.
 */
public final class WarmSubmitter implements Submitter, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WarmSubmitter.class);

  /**
   * How runners start: {@code java} (this JVM's), extra JVM options beside the local submitter's (module openings,
   * the log configuration), the runner's main class, and how many reports one runs before it is replaced.
   */
  public record Settings(String java, List<String> jvmOptions, String mainClass, String marker, int maxReports) {}

  private final LocalSubmitter.Settings local;
  private final Settings warm;
  private final LocalSubmitter sparkSubmit;
  private final String host;
  private final Deque<Runner> idle = new ArrayDeque<>();
  private final List<Runner> all = new ArrayList<>();
  /** The ref of a warm run whose report needed Spark -> the spark-submit run that took it over. */
  private final Map<String, String> handedOver = new ConcurrentHashMap<>();
  private boolean closed;
  private int starting;

  public WarmSubmitter(LocalSubmitter.Settings local, Settings warm) {
    if (warm.maxReports() < 1) {
      throw new IllegalArgumentException("submit.local.warm.max-reports must be at least 1, got " + warm.maxReports());
    }
    this.local = local;
    this.warm = warm;
    this.sparkSubmit = new LocalSubmitter(local);
    this.host = hostName();
  }

  /** Runners kept at least (the one the next report takes and a spare), and idle ones at most (more are stopped). */
  static final int SPARE_PAIR = 2;

  /** Starts the runners ahead of the reports that will need them: one for the first report and a spare. */
  @Override
  public void prepare() {
    keepSpare();
  }

  /**
   * Starts runners (they warm up idle) until one is idle and there are at least {@link #SPARE_PAIR}: the next report
   * never waits for a JVM to start, and a runner that retires or dies already has a warmed-up successor.
   */
  private void keepSpare() {
    while (true) {
      synchronized (this) {
        if (closed || idle.size() + starting >= 1 && all.size() + starting >= SPARE_PAIR) {
          return;
        }
        starting++; // two threads topping up at once start one runner, not two
      }
      Runner r = null;
      try {
        r = start();
      } catch (IOException e) {
        LOG.warn("warm runner: could not start one ahead ({}); the next report starts one", e.getMessage());
      }
      synchronized (this) {
        starting--;
        if (r == null || closed) {
          if (r != null) {
            r.closeInput();
          }
          return;
        }
        idle.addLast(r);
      }
    }
  }

  @Override
  public Run submit(ReportJob job) throws IOException {
    Runner runner;
    synchronized (this) {
      if (closed) {
        throw new IOException("the worker is closing");
      }
      idle.removeIf(r -> !r.process.isAlive());
      runner = take();
    }
    if (runner == null) {
      runner = start();
    }
    Run run = runner.run(job);
    keepSpare(); // the last idle one was taken: two reports at once
    return run;
  }

  /** The idle runner used last that has warmed up (its classes and code hottest), else the one that will be first. */
  private Runner take() {
    for (var it = idle.descendingIterator(); it.hasNext(); ) {
      Runner r = it.next();
      if (r.ready) {
        it.remove();
        return r;
      }
    }
    return idle.pollFirst();
  }

  private Runner start() throws IOException {
    Files.createDirectories(local.logDir());
    List<String> command = new ArrayList<>(List.of(warm.java()));
    for (String option : local.javaOptions().trim().split("\\s+")) {
      if (!option.isEmpty()) {
        command.add(option);
      }
    }
    command.addAll(warm.jvmOptions());
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), warm.mainClass(),
        String.valueOf(warm.maxReports())));
    command.addAll(local.args());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().clear();
    builder.environment().putAll(local.env());
    Runner runner = new Runner(builder.start());
    synchronized (this) {
      all.add(runner);
    }
    LOG.info("warm runner: started local pid {} (log {})", runner.process.pid(), runner.ownLog);
    return runner;
  }

  private void ended(Runner runner, boolean reusable) {
    Runner surplus = null;
    synchronized (this) {
      if (reusable && !closed) {
        idle.addLast(runner);
        if (idle.size() > SPARE_PAIR) {
          surplus = idle.pollFirst(); // the one used longest ago: reports at once are over, its memory is not needed
        }
      } else {
        idle.remove(runner);
        all.remove(runner);
      }
    }
    if (surplus != null) {
      LOG.info("warm runner {}: stopped, {} others are idle", surplus.process.pid(), SPARE_PAIR);
      surplus.closeInput();
    }
    if (!reusable) {
      keepSpare(); // a runner retired or died: its successor warms up before it is needed
    }
  }

  @Override
  public Optional<Boolean> isAlive(String ref) {
    String over = handedOver.get(ref);
    return sparkSubmit.isAlive(over != null ? over : ref);
  }

  /** Stops a timed-out job's run: its spark-submit if the report was handed over, else the runner (killed). */
  @Override
  public boolean cancel(String ref) {
    String over = handedOver.get(ref);
    if (over != null) {
      return sparkSubmit.cancel(over);
    }
    synchronized (this) {
      for (Runner r : all) {
        if (ref != null && ref.startsWith(r.refPrefix)) {
          r.process.destroyForcibly();
          return true;
        }
      }
    }
    return sparkSubmit.cancel(ref);
  }

  @Override
  public String describe() {
    return "local (warm runners for reports without Spark, up to " + warm.maxReports() + " reports each; else "
        + sparkSubmit.describe() + ")";
  }

  /** Closes the runners' input: each ends its report, if any, then exits. */
  @Override
  public synchronized void close() {
    closed = true;
    for (Runner r : all) {
      r.closeInput();
    }
    idle.clear();
  }

  /** One runner: its process, its input, and the report it runs now, whose lines go to that report's log. */
  private final class Runner {
    final Process process;
    final Writer input;
    final Path ownLog;
    final String refPrefix;
    /** It has warmed up and said so ({@code ready}). */
    volatile boolean ready;
    private Writer log;
    private ReportJob job;
    private String ref;
    private CompletableFuture<Integer> exit;
    private CompletableFuture<String> handedTo;
    private Path jobLog;

    Runner(Process process) throws IOException {
      this.process = process;
      this.input = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
      this.ownLog = local.logDir().resolve("warm-runner-" + process.pid() + ".log");
      this.refPrefix = "local pid " + process.pid() + "@" + host + ",";
      this.log = open(ownLog);
      Thread pump = new Thread(this::pump, "warm-runner-" + process.pid());
      pump.setDaemon(true);
      pump.start();
    }

    synchronized Run run(ReportJob job) throws IOException {
      Path jobLog = local.logDir().resolve(job.jobId() + ".log");
      this.job = job;
      this.ref = refPrefix + " warm runner, log " + jobLog;
      this.exit = new CompletableFuture<>();
      this.handedTo = new CompletableFuture<>();
      this.jobLog = jobLog;
      input.write("run " + job.jobId() + "\n");
      input.flush();
      return new Run(ref, exit, handedTo);
    }

    /** The runner's output: answers are acted on, every other line goes to the log of the report it runs. */
    private void pump() {
      try (BufferedReader out = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = out.readLine()) != null; ) {
          if (line.startsWith(warm.marker())) {
            answer(line.substring(warm.marker().length()).split(" "));
          } else {
            synchronized (this) {
              log.write(line + "\n");
              log.flush();
            }
          }
        }
      } catch (IOException e) {
        LOG.warn("warm runner {}: its output could not be read ({}); stopping it", process.pid(), e.getMessage());
        process.destroyForcibly();
      }
      int code = process.onExit().join().exitValue();
      CompletableFuture<Integer> unfinished;
      synchronized (this) {
        unfinished = exit != null && !exit.isDone() ? exit : null;
        closeLog();
      }
      ended(this, false);
      if (unfinished != null) {
        LOG.warn("warm runner {}: ended (exit code {}) while running report {}", process.pid(), code, job.jobId());
        unfinished.complete(code == 0 ? 1 : code);
      }
    }

    /** {@code ready}, {@code started <job id>}, or {@code done <job id> <result> <keep|retire>}. */
    private void answer(String[] words) throws IOException {
      if (words.length == 1 && words[0].equals("ready")) {
        ready = true;
        return;
      }
      if (words.length == 2 && words[0].equals("started")) {
        synchronized (this) { // the runner's lines before (its start, its warm-up) stay in its own log
          log.close();
          log = open(jobLog);
        }
        return;
      }
      if (words.length != 4 || !words[0].equals("done")) {
        return;
      }
      ReportJob finished;
      CompletableFuture<Integer> future;
      CompletableFuture<String> handedTo;
      String finishedRef;
      synchronized (this) {
        finished = job;
        future = exit;
        handedTo = this.handedTo;
        finishedRef = ref;
        exit = null;
        log.close();
        log = open(ownLog);
      }
      // Idle again before the report's end is told, so the next report the worker sends finds this runner.
      ended(this, words[3].equals("keep"));
      if (words[2].equals("spark")) {
        handOver(finished, finishedRef, future, handedTo);
      } else {
        future.complete(switch (words[2]) {
          case "completed" -> 0;
          case "not-pending" -> 3;
          default -> 1;
        });
      }
    }

    private void closeInput() {
      try {
        input.close();
      } catch (IOException e) {
        process.destroyForcibly();
      }
    }

    private void closeLog() {
      try {
        log.close();
      } catch (IOException e) {
        LOG.warn("warm runner {}: closing its log failed: {}", process.pid(), e.getMessage());
      }
    }
  }

  /** A report that needs Spark: spark-submit takes its job (SUBMITTED again), and its run ends the warm one's. */
  private void handOver(ReportJob job, String warmRef, CompletableFuture<Integer> future,
      CompletableFuture<String> handedTo) {
    try {
      Run run = sparkSubmit.submit(job);
      handedOver.put(warmRef, run.ref());
      LOG.info("report {}: needs Spark; handed to spark-submit ({})", job.jobId(), run.ref());
      handedTo.complete(run.ref()); // the worker records it as the job's run
      run.exitCode().thenAccept(code -> {
        handedOver.remove(warmRef);
        future.complete(code);
      });
    } catch (IOException | RuntimeException e) {
      LOG.error("report {}: needs Spark, but spark-submit could not be started: {}", job.jobId(), e.getMessage(), e);
      future.complete(1);
    }
  }

  private static Writer open(Path file) throws IOException {
    return Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown-host";
    }
  }
}
