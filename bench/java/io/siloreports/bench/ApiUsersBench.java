package io.siloreports.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Users of the page, as many as asked, for a set time against a running report service: each user asks for a report
 * (one silo, the default range), reads its status every poll interval as the page does until the job ends, thinks a
 * while, and asks again, until the time is up; then it follows its last job to its end. Users share tokens by team
 * (ten to a token), as people of one team would, so the per-token quota is met the way it would be in use.
 *
 * <p>A status read's latency is measured from the moment it was due (each user keeps a fixed poll schedule), so a
 * service that falls behind shows in the figures. A 429 (a quota) is counted apart and retried after its
 * Retry-After; any other answer that is not 2xx, or a failed connection, is an error. At the end every job created
 * must have ended COMPLETED, or FAILED with a reason, and run once (one transition to PROCESSING). Exit status 1
 * otherwise.
 *
 * <p>Args: base URL, tokens (name:token,... one per team), users, minutes, poll interval ms, think min s, think
 * max s, minutes to wait for the last jobs.
 */
public final class ApiUsersBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int SILOS = 6;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();
  private final String base;
  private final List<String> tokens;
  private final long pollNanos;
  private final int thinkMinMs;
  private final int thinkMaxMs;
  private final ConcurrentLinkedQueue<Long> readMicros = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Long> postMillis = new ConcurrentLinkedQueue<>();
  private final Map<String, String> jobs = new ConcurrentHashMap<>(); // job id -> the token that made it
  private final Map<String, Integer> answers = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
  private final AtomicInteger quotaRefusals = new AtomicInteger();
  private final AtomicLong lastEndNanos = new AtomicLong();

  private ApiUsersBench(String base, List<String> tokens, long pollMs, int thinkMinS, int thinkMaxS) {
    this.base = base;
    this.tokens = tokens;
    this.pollNanos = pollMs * 1_000_000L;
    this.thinkMinMs = thinkMinS * 1000;
    this.thinkMaxMs = Math.max(thinkMinS, thinkMaxS) * 1000;
  }

  public static void main(String[] args) throws Exception {
    List<String> tokens = new ArrayList<>();
    for (String entry : args[1].split(",")) {
      tokens.add(entry.substring(entry.indexOf(':') + 1));
    }
    int users = Integer.parseInt(args[2]);
    Duration run = Duration.ofSeconds(Math.round(Double.parseDouble(args[3]) * 60));
    ApiUsersBench bench = new ApiUsersBench(args[0], tokens, Long.parseLong(args[4]), Integer.parseInt(args[5]),
        Integer.parseInt(args[6]));
    Duration drain = Duration.ofMinutes(Long.parseLong(args[7]));
    System.exit(bench.run(users, run, drain) ? 0 : 1);
  }

  private boolean run(int users, Duration run, Duration drain) throws Exception {
    long t0 = System.nanoTime();
    long stopCreating = t0 + run.toNanos();
    long giveUp = stopCreating + drain.toNanos();
    CountDownLatch done = new CountDownLatch(users);
    AtomicInteger finishedUsers = new AtomicInteger();
    for (int u = 0; u < users; u++) {
      int user = u;
      Thread t = new Thread(() -> {
        try {
          user(user, t0, stopCreating, giveUp);
        } catch (Exception e) {
          errors.add("user " + user + ": " + e);
        } finally {
          finishedUsers.incrementAndGet();
          done.countDown();
        }
      }, "user-" + u);
      t.setDaemon(true);
      t.start();
    }
    // A line every 30 s: a long run shows progress.
    while (!done.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
      System.out.printf(Locale.ROOT, "%4.0f s: %d jobs created, %d status reads, %d quota refusals, %d errors,"
              + " %d of %d users done%n", (System.nanoTime() - t0) / 1e9, jobs.size(), readMicros.size(),
          quotaRefusals.get(), errors.size(), finishedUsers.get(), users);
    }
    return report(users, run, t0);
  }

  private void user(int user, long t0, long stopCreating, long giveUp) throws Exception {
    Random random = new Random(user);
    String token = tokens.get(user / 10 % tokens.size());
    // The users arrive over the first 30 s, not all in one instant.
    sleepUntil(t0 + random.nextInt(30_000) * 1_000_000L);
    while (System.nanoTime() < stopCreating) {
      String id = create(token, 1 + random.nextInt(SILOS), stopCreating);
      if (id == null) {
        return;
      }
      follow(id, token, giveUp);
      sleepUntil(System.nanoTime() + (thinkMinMs + random.nextInt(thinkMaxMs - thinkMinMs + 1)) * 1_000_000L);
    }
  }

  /** A new job's id; null when the time to create is up while a quota kept refusing. */
  private String create(String token, int silo, long stopCreating) throws Exception {
    while (true) {
      long s = System.nanoTime();
      HttpResponse<String> r;
      try {
        r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/reports")).timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"silos\": [" + silo + "]}")).build(),
            HttpResponse.BodyHandlers.ofString());
      } catch (java.io.IOException e) {
        errors.add("POST /api/reports: " + e);
        answers.merge("POST -1", 1, Integer::sum);
        return null;
      }
      answers.merge("POST " + r.statusCode(), 1, Integer::sum);
      if (r.statusCode() == 202 || r.statusCode() == 201) {
        postMillis.add((System.nanoTime() - s) / 1_000_000);
        String id = JSON.readTree(r.body()).get("jobId").asText();
        jobs.put(id, token);
        return id;
      }
      if (r.statusCode() != 429) {
        errors.add("POST /api/reports answered " + r.statusCode() + ": " + r.body());
        return null;
      }
      quotaRefusals.incrementAndGet();
      long retryAfter = Long.parseLong(r.headers().firstValue("Retry-After").orElse("5"));
      if (System.nanoTime() + retryAfter * 1_000_000_000L > stopCreating) {
        return null;
      }
      sleepUntil(System.nanoTime() + retryAfter * 1_000_000_000L);
    }
  }

  /** Status reads on a fixed schedule until the job ends (or the run gives up on it). */
  private void follow(String id, String token, long giveUp) throws Exception {
    long due = System.nanoTime() + pollNanos;
    while (due < giveUp) {
      sleepUntil(due);
      HttpResponse<String> r;
      try {
        r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/reports/" + id)).timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
      } catch (java.io.IOException e) {
        errors.add("GET /api/reports/" + id + ": " + e);
        answers.merge("GET -1", 1, Integer::sum);
        due += pollNanos;
        continue;
      }
      readMicros.add((System.nanoTime() - due) / 1_000);
      answers.merge("GET " + r.statusCode(), 1, Integer::sum);
      if (r.statusCode() != 200) {
        errors.add("GET /api/reports/" + id + " answered " + r.statusCode());
      } else {
        String status = JSON.readTree(r.body()).get("status").asText();
        if (status.equals("COMPLETED") || status.equals("FAILED")) {
          lastEndNanos.accumulateAndGet(System.nanoTime(), Math::max);
          return;
        }
      }
      // The next read is due one interval after this one was due: a slow answer does not stretch the schedule.
      due += pollNanos;
    }
  }

  private boolean report(int users, Duration run, long t0) throws Exception {
    long[] reads = readMicros.stream().mapToLong(Long::longValue).sorted().toArray();
    long[] posts = postMillis.stream().mapToLong(Long::longValue).sorted().toArray();
    double readWindow = (lastEndNanos.get() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "%d users for %d s: %d jobs created (POST p50 %d / p99 %d / max %d ms), %d quota"
            + " refusals (429)%n", users, run.toSeconds(), jobs.size(), pct(posts, 0.5), pct(posts, 0.99),
        posts.length == 0 ? 0 : posts[posts.length - 1], quotaRefusals.get());
    System.out.printf(Locale.ROOT, "%d status reads (%.0f/s over %.0f s), latency from due time p50 %.1f / p90 %.1f /"
            + " p99 %.1f / p99.9 %.1f / max %.1f ms; answers %s%n", reads.length, reads.length / readWindow,
        readWindow, pct(reads, 0.5) / 1000.0, pct(reads, 0.9) / 1000.0, pct(reads, 0.99) / 1000.0,
        pct(reads, 0.999) / 1000.0, reads.length == 0 ? 0 : reads[reads.length - 1] / 1000.0, new TreeMap<>(answers));
    Map<String, Integer> ended = new TreeMap<>();
    int ranTwice = 0;
    int noReason = 0;
    for (Map.Entry<String, String> job : jobs.entrySet()) {
      JsonNode j = get("/api/reports/" + job.getKey(), job.getValue());
      String status = j.get("status").asText();
      ended.merge(status, 1, Integer::sum);
      if (status.equals("FAILED") && j.path("errorMessage").asText("").isBlank()) {
        noReason++;
      }
      int runs = 0;
      for (JsonNode e : get("/api/reports/" + job.getKey() + "/events", job.getValue()).get("events")) {
        runs += e.get("to").asText().equals("PROCESSING") ? 1 : 0;
      }
      ranTwice += runs > 1 ? 1 : 0;
    }
    boolean allEnded = ended.keySet().stream().allMatch(s -> s.equals("COMPLETED") || s.equals("FAILED"));
    System.out.printf(Locale.ROOT, "jobs: %s, the last ended %.1f s after the start; every job ended: %s; ran twice"
        + " %d; FAILED without a reason %d; errors %d%n", ended, readWindow, allEnded, ranTwice, noReason, errors.size());
    errors.stream().limit(20).forEach(e -> System.out.println("  error: " + e));
    return allEnded && ranTwice == 0 && noReason == 0 && errors.isEmpty();
  }

  private JsonNode get(String path, String token) throws Exception {
    return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString()).body());
  }

  private static long pct(long[] sorted, double q) {
    return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * q) - 1)];
  }

  private static void sleepUntil(long nanoTime) {
    for (long wait = nanoTime - System.nanoTime(); wait > 0; wait = nanoTime - System.nanoTime()) {
      LockSupport.parkNanos(wait);
    }
  }
}
