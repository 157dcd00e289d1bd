package io.siloreports.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReportLinksTest {
  @Test
  void readsTheExpiryOfASigV4PresignedUrl() {
    String url = "http://127.0.0.1:19000/bucket/reports/j/silo_data_report.xlsx?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        + "&X-Amz-Date=20261125T190000Z&X-Amz-SignedHeaders=host&X-Amz-Expires=900&X-Amz-Signature=abc";
    assertEquals(Instant.parse("2026-11-25T19:15:00Z"), ReportLinks.expiry(url));
    assertNull(ReportLinks.expiry("file:///tmp/report.xlsx"));
    assertNull(ReportLinks.expiry(null));
  }
}
