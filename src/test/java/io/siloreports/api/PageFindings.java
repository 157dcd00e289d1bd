package io.siloreports.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** What the page's findings table shows, read from the DOM and compared with the job's JSON from the API. */
final class PageFindings {
  /** Decimals read exactly (the API writes them without trailing zeros; the page with 2 decimals). */
  static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private PageFindings() {}

  static List<String> cells(WebElement row) {
    return row.findElements(By.tagName("td")).stream().map(WebElement::getText).toList();
  }

  /** The points of the row's chart: the coordinates after each M and L of its path, counted from {@code d}. */
  static int pathPoints(WebElement row) {
    String d = row.findElement(By.cssSelector("svg path")).getAttribute("d");
    return d.split("[ML]").length - 1;
  }

  /** The number of hours with data in a silo's {@code hourlyAverages} (non-null points). */
  static int pointsWithData(JsonNode silo) {
    int n = 0;
    for (JsonNode v : silo.get("hourlyAverages")) {
      n += v.isNull() ? 0 : 1;
    }
    return n;
  }

  /** A figure the page shows with 2 decimals: the same number as the API's. */
  static void assertDecimal(JsonNode api, String shown, String what) {
    assertTrue(shown.matches("-?[0-9]+\\.[0-9]{2}"), what + " shown with 2 decimals: " + shown);
    assertEquals(0, api.decimalValue().compareTo(new BigDecimal(shown)), what + ": API " + api + ", page " + shown);
  }

  /** The row's figures in the table's column order against the API's object for the silo (or all silos). */
  static void assertRow(JsonNode api, List<String> shown, String label) {
    assertEquals(label, shown.get(0));
    String[] counts = {"readings", "hoursWithData", "hoursWithoutData"};
    for (int i = 0; i < counts.length; i++) {
      assertEquals(api.get(counts[i]).asText(), shown.get(1 + i), label + " " + counts[i]);
    }
    String[] decimals = {"average", "min", "max"};
    for (int i = 0; i < decimals.length; i++) {
      assertDecimal(api.get(decimals[i]), shown.get(4 + i), label + " " + decimals[i]);
    }
    String[] tail = {"lateReadings", "revisedHours", "anomalies"};
    for (int i = 0; i < tail.length; i++) {
      assertEquals(api.get(tail[i]).asText(), shown.get(7 + i), label + " " + tail[i]);
    }
  }
}
