package io.siloreports.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.siloreports.store.StoreQueries;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/** What the aggregates hold, read without Spark: {@code GET /api/buckets} (bucket counts) and {@code GET /api/silos}. */
final class DataApi {
  static final int MAX_BUCKETS = 10_000;
  private static final Set<Integer> BUCKET_MINUTES = Set.of(1, 5, 15, 60);

  private final StoreQueries queries;

  DataApi(StoreQueries queries) {
    this.queries = queries;
  }

  void routes(Router r) {
    r.add("GET", "/api/buckets", true, this::buckets);
    r.add("GET", "/api/silos", true, this::silos);
  }

  private void buckets(Exchange x) throws Exception {
    String recordType = x.requiredQuery("record_type");
    if (!recordType.matches("[A-Za-z]{1,32}")) {
      throw HttpError.badRequest("record_type must be a record type name such as items, got '"
          + HttpError.clip(recordType) + "'");
    }
    String account = x.query("account_id");
    if (account != null && (account.isEmpty() || account.length() > 128)) {
      throw HttpError.badRequest("account_id must be 1 to 128 characters");
    }
    int minutes = x.intQuery("minutes", 60, 1, 60);
    if (!BUCKET_MINUTES.contains(minutes)) {
      throw HttpError.badRequest("minutes must be 1, 5, 15 or 60, got " + minutes);
    }
    Instant from = RequestJson.instant(x.requiredQuery("from"), "from");
    Instant to = RequestJson.instant(x.requiredQuery("to"), "to");
    RequestJson.requireRange(from, to);
    List<StoreQueries.BucketCount> counts = queries.buckets(recordType, account, minutes, from, to, MAX_BUCKETS + 1);
    if (counts.size() > MAX_BUCKETS) {
      throw HttpError.badRequest("more than " + MAX_BUCKETS + " buckets: ask for a shorter range, wider buckets or one"
          + " account");
    }
    ObjectNode out = Exchange.JSON.createObjectNode();
    out.put("recordType", recordType);
    out.put("accountId", account);
    out.put("minutes", minutes);
    out.put("from", from.toString());
    out.put("to", to.toString());
    ArrayNode list = out.putArray("buckets");
    for (StoreQueries.BucketCount c : counts) {
      ObjectNode n = list.addObject();
      n.put("accountId", c.accountId());
      n.put("start", c.start().toString());
      n.put("count", c.count());
    }
    x.json(200, out);
  }

  private void silos(Exchange x) throws Exception {
    ObjectNode out = Exchange.JSON.createObjectNode();
    ArrayNode list = out.putArray("silos");
    queries.silos().forEach(list::add);
    x.json(200, out);
  }
}
