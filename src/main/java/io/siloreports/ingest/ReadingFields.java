package io.siloreports.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * The walk over a common reading's JSON tokens that both quick paths share ({@link RecordParser}'s from a line's
 * text, {@link ReadingBytes}' from its bytes): one object whose {@code silo_id} is a non-negative int, {@code ts} a
 * string and {@code value} a finite number, each once, other fields skipped. How the value is kept is the path's own
 * ({@link #value}: a {@code BigDecimal}, or unscaled digits in a long); anything else is not a common reading, which
 * the tree path then judges. Reusable: each {@link #read} starts afresh.
 */
abstract class ReadingFields {
  private int siloId;
  private String ts;

  /** Keeps the value at the parser's current number token; false when this path does not take it. */
  abstract boolean value(JsonParser p) throws IOException;

  /** Whether {@code p}'s tokens are one common reading; then {@link #siloId}, {@link #ts} and the value hold it. */
  final boolean read(JsonParser p) throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      return false;
    }
    int silo = -1;
    String time = null;
    boolean hasValue = false;
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      switch (name) {
        case "silo_id" -> {
          if (silo >= 0 || v != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT
              || p.getIntValue() < 0) {
            return false;
          }
          silo = p.getIntValue();
        }
        case "ts" -> {
          if (time != null || v != JsonToken.VALUE_STRING) {
            return false;
          }
          time = p.getText();
        }
        case "value" -> {
          if (hasValue || !(v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT && !p.isNaN())
              || !value(p)) {
            return false;
          }
          hasValue = true;
        }
        default -> p.skipChildren();
      }
    }
    if (t != JsonToken.END_OBJECT || p.nextToken() != null || silo < 0 || time == null || !hasValue) {
      return false;
    }
    siloId = silo;
    ts = time;
    return true;
  }

  final int siloId() {
    return siloId;
  }

  /** The {@code ts} text, not yet parsed or checked against the time rules. */
  final String ts() {
    return ts;
  }
}
