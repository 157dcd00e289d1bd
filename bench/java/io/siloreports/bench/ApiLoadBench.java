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

/**
 * Sends N report requests to a running report service at once, waits until every job has ended, and checks that each
 * is a distinct job that ran once (one transition to PROCESSING in its history) and ended COMPLETED or FAILED with a
 * reason. Prints the request latencies and the time until the last job ended. Args: base URL, token, N, timeout
 * minutes.
 */
public final class ApiLoadBench {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ApiLoadBench() {}

  public static void main(String[] args) throws Exception {
    String base = args[0];
    String token = args[1];
    int n = Integer.parseInt(args[2]);
    Duration timeout = Duration.ofMinutes(Long.parseLong(args[3]));
    HttpClient http = HttpClient.newHttpClient();
    ExecutorService pool = Executors.newFixedThreadPool(n);
    long t0 = System.nanoTime();
    List<Future<long[]>> posts = new ArrayList<>();
    List<String> ids = Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < n; i++) {
      posts.add(pool.submit(() -> {
        long s = System.nanoTime();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/initiate-silo-report"))
            .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()).build(),
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

  private static JsonNode get(HttpClient http, String url, String token) throws Exception {
    return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
        .GET().build(), HttpResponse.BodyHandlers.ofString()).body());
  }
}
