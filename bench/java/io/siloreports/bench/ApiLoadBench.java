package io.siloreports.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends N report requests to a running report service at once, waits until every job has ended, and checks that each
 * is a distinct job that ran once (one transition to PROCESSING in its history) and ended COMPLETED or FAILED with a
 * reason. Prints the request latencies and the time until the last job ended.
 *
 * <p>While the jobs run, status reads of those jobs are sent at a fixed rate (the page polls {@code /api/reports/{id}})
 * for a set time; each read's latency is measured from the moment it was due, not from when a thread got to send
 * it, so a server that falls behind shows in the figures (no coordinated omission). Prints the rate reached, the
 * latency percentiles and every answer that was not 200.
 *
 * <p>Args: base URL, token, N, timeout minutes[, status reads per second, seconds of reading].
 */
public final class ApiLoadBench {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ApiLoadBench() {}

  public static void main(String[] args) throws Exception {
    String base = args[0];
    String token = args[1];
    int n = Integer.parseInt(args[2]);
    Duration timeout = Duration.ofMinutes(Long.parseLong(args[3]));
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    ExecutorService pool = Executors.newFixedThreadPool(n);
    long t0 = System.nanoTime();
    List<Future<long[]>> posts = new ArrayList<>();
    List<String> ids = Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < n; i++) {
      posts.add(pool.submit(() -> {
        long s = System.nanoTime();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/initiate-silo-report"))
            .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
          throw new IllegalStateException("POST answered " + r.statusCode() + ": " + r.body());
        }
        ids.add(JSON.readTree(r.body()).get("jobId").asText());
        return new long[] {(System.nanoTime() - s) / 1_000_000};
      }));
    }
    List<Long> latencies = new ArrayList<>();
    for (Future<long[]> f : posts) {
      latencies.add(f.get()[0]);
    }
    pool.shutdown();
    Collections.sort(latencies);
    System.out.printf("%d POSTs answered 202 in %d ms; latency min %d / median %d / p99 %d / max %d ms%n", n,
        (System.nanoTime() - t0) / 1_000_000, latencies.get(0), latencies.get(n / 2),
        latencies.get(Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)), latencies.get(n - 1));
    if (args.length > 5 && Integer.parseInt(args[4]) > 0) {
      pollAtRate(http, base, token, List.copyOf(ids), Integer.parseInt(args[4]), Integer.parseInt(args[5]));
    }
    long distinct = ids.stream().distinct().count();
    Map<String, Integer> ended = new TreeMap<>();
    int ranTwice = 0;
    int noReason = 0;
    long deadline = System.nanoTime() + timeout.toNanos();
    for (String id : ids) {
      JsonNode job;
      while (true) {
        job = get(http, base + "/api/reports/" + id, token);
        String s = job.get("status").asText();
        if (s.equals("COMPLETED") || s.equals("FAILED")) {
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("job " + id + " still " + s + " after " + timeout);
        }
        Thread.sleep(500);
      }
      ended.merge(job.get("status").asText(), 1, Integer::sum);
      if (job.get("status").asText().equals("FAILED") && job.get("errorMessage").asText("").isBlank()) {
        noReason++;
      }
      int runs = 0;
      for (JsonNode e : get(http, base + "/api/reports/" + id + "/events", token).get("events")) {
        runs += e.get("to").asText().equals("PROCESSING") ? 1 : 0;
      }
      ranTwice += runs > 1 ? 1 : 0;
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf("all %d jobs ended after %.1f s: %s; distinct job ids %d; ran twice %d; FAILED without a"
        + " reason %d%n", n, seconds, ended, distinct, ranTwice, noReason);
    if (distinct != n || ranTwice != 0 || noReason != 0) {
      System.exit(1);
    }
  }

  /**
   * Status reads at {@code perSecond} for {@code seconds}, round-robin over the jobs, from a pool large enough that a
   * slow answer does not hold back the next due read. Fails when a read answers anything but 200.
   */
  private static void pollAtRate(HttpClient http, String base, String token, List<String> ids, int perSecond,
      int seconds) throws Exception {
    int total = perSecond * seconds;
    long[] latencyMicros = new long[total];
    AtomicInteger next = new AtomicInteger();
    AtomicInteger notOk = new AtomicInteger();
    Map<Integer, Integer> answers = new java.util.concurrent.ConcurrentSkipListMap<>();
    long periodNanos = 1_000_000_000L / perSecond;
    int threads = 64;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long start = System.nanoTime() + 50_000_000L;
    List<Future<?>> running = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      running.add(pool.submit(() -> {
        for (int i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
          long due = start + i * periodNanos;
          long wait = due - System.nanoTime();
          if (wait > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(wait);
          }
          int code;
          try {
            code = http.send(HttpRequest.newBuilder(URI.create(base + "/api/reports/" + ids.get(i % ids.size())))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
          } catch (java.io.IOException e) {
            code = -1;
          }
          latencyMicros[i] = (System.nanoTime() - due) / 1_000;
          answers.merge(code, 1, Integer::sum);
          if (code != 200) {
            notOk.incrementAndGet();
          }
        }
        return null;
      }));
    }
    for (Future<?> f : running) {
      f.get();
    }
    pool.shutdown();
    double took = (System.nanoTime() - start) / 1e9;
    long[] sorted = latencyMicros.clone();
    java.util.Arrays.sort(sorted);
    System.out.printf(java.util.Locale.ROOT, "%d status reads due at %d/s over %d s: sent in %.1f s (%.0f/s reached);"
            + " latency from due time p50 %.1f / p90 %.1f / p99 %.1f / p99.9 %.1f / max %.1f ms; answers %s%n", total,
        perSecond, seconds, took, total / took, pct(sorted, 0.50), pct(sorted, 0.90), pct(sorted, 0.99),
        pct(sorted, 0.999), sorted[total - 1] / 1000.0, answers);
    if (notOk.get() > 0) {
      throw new IllegalStateException(notOk.get() + " status reads did not answer 200: " + answers);
    }
  }

  private static double pct(long[] sortedMicros, double q) {
    return sortedMicros[Math.min(sortedMicros.length - 1, (int) Math.ceil(sortedMicros.length * q) - 1)] / 1000.0;
  }

  private static JsonNode get(HttpClient http, String url, String token) throws Exception {
    return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token)
        .GET().build(), HttpResponse.BodyHandlers.ofString()).body());
  }
}
