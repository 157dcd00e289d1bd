package io.siloreports.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import io.siloreports.model.Times;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * The common valid reading read straight from a line's UTF-8 bytes, for the stream's pass: no {@code String} of the
 * line, no row, no {@code BigDecimal} per reading. It accepts only a subset of what {@link RecordParser#parseReading}
 * accepts, and gives the same record for it: an ASCII line starting with <code>{</code> (so its bytes are its
 * characters), one object whose {@code silo_id} is a non-negative int, {@code ts} a string passing the time rules and
 * {@code value} a plain decimal of at most 8 integer and {@value RecordParser#VALUE_SCALE} fraction digits within
 * range, each once. For anything else {@link #read} is false and the caller judges the line by
 * {@link RecordParser#parseReading}, so a bad line's reason never depends on which path read it
 * ({@code ReadingBytesTest} compares the two). One per partition: it holds the last reading it read.
 */
public final class ReadingBytes {
  private static final long[] TENS = new long[RecordParser.VALUE_SCALE + 1];
  /** Above every value {@link #read} takes: 8 integer digits at the scale. */
  private static final long FAST_LIMIT = 1_000_000_000_000_000_000L;

  static {
    TENS[0] = 1;
    for (int i = 1; i < TENS.length; i++) {
      TENS[i] = TENS[i - 1] * 10;
    }
  }

  private final JsonFactory json = RecordParser.jsonFactory();
  private final ValidationRules rules;
  private final Instant now;
  /** |unscaled value| must be below this; 0 when the rules' bound is not a whole number at the scale (never fast). */
  private final long maxUnscaled;

  private final UnscaledFields fields = new UnscaledFields();

  /** The last reading {@link #read} accepted. */
  private int siloId;
  private Instant ts;
  private long unscaledValue;

  public ReadingBytes(ValidationRules rules, Instant now) {
    this.rules = rules;
    this.now = now;
    this.maxUnscaled = maxUnscaled(rules.maxAbsValue());
  }

  static long maxUnscaled(BigDecimal maxAbs) {
    BigDecimal bound = maxAbs.movePointRight(RecordParser.VALUE_SCALE);
    if (bound.compareTo(BigDecimal.valueOf(FAST_LIMIT)) > 0) {
      return Long.MAX_VALUE;
    }
    try {
      return bound.longValueExact();
    } catch (ArithmeticException notWhole) {
      return 0;
    }
  }

  public int siloId() {
    return siloId;
  }

  public Instant ts() {
    return ts;
  }

  /** The value's unscaled digits at {@link RecordParser#VALUE_SCALE} decimals. */
  public long unscaledValue() {
    return unscaledValue;
  }

  /** True when {@code bytes[off, off+len)} is a common valid reading, now held here; false: judge it otherwise. */
  public boolean read(byte[] bytes, int off, int len) {
    if (len < 2 || bytes[off] != '{') {
      return false;
    }
    for (int i = off + len - 1; i > off; i--) {
      if (bytes[i] < 0) {
        return false;
      }
    }
    try (JsonParser p = json.createParser(bytes, off, len)) {
      if (!fields.read(p)) {
        return false;
      }
      Instant at = Times.parseInstant(fields.ts());
      if (rules.timestampProblem(at, now) != null) {
        return false;
      }
      siloId = fields.siloId();
      ts = at;
      unscaledValue = fields.unscaled;
      return true;
    } catch (java.io.IOException | RuntimeException e) {
      return false;
    }
  }

  /** The fields' walk, keeping a value as its unscaled digits when they fit the fast form and the range. */
  private final class UnscaledFields extends ReadingFields {
    long unscaled;

    @Override
    boolean value(JsonParser p) throws java.io.IOException {
      unscaled = unscaled(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
      return unscaled != Long.MIN_VALUE && Math.abs(unscaled) < maxUnscaled;
    }
  }

  /**
   * A plain decimal ({@code -?digits[.digits]}, at most 8 integer and {@value RecordParser#VALUE_SCALE} fraction
   * digits) as its unscaled value at that scale; {@code Long.MIN_VALUE} for any other form (an exponent, more digits).
   */
  static long unscaled(char[] text, int off, int len) {
    int i = off;
    int end = off + len;
    boolean negative = i < end && text[i] == '-';
    if (negative) {
      i++;
    }
    long whole = 0;
    int wholeDigits = 0;
    while (i < end && text[i] >= '0' && text[i] <= '9') {
      whole = whole * 10 + (text[i++] - '0');
      wholeDigits++;
    }
    if (wholeDigits == 0 || wholeDigits > 8) {
      return Long.MIN_VALUE;
    }
    long fraction = 0;
    int fractionDigits = 0;
    if (i < end && text[i] == '.') {
      i++;
      while (i < end && text[i] >= '0' && text[i] <= '9') {
        fraction = fraction * 10 + (text[i++] - '0');
        fractionDigits++;
      }
      if (fractionDigits == 0 || fractionDigits > RecordParser.VALUE_SCALE) {
        return Long.MIN_VALUE;
      }
    }
    if (i != end) {
      return Long.MIN_VALUE;
    }
    long x = whole * TENS[RecordParser.VALUE_SCALE] + fraction * TENS[RecordParser.VALUE_SCALE - fractionDigits];
    return negative ? -x : x;
  }
}
