package io.siloreports.ingest;

import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;

/**
 * What makes a parsed record absurd. A timestamp before {@code earliest} or later than the processing
 * time plus {@code maxFutureSkew} is rejected: one reading stamped next year would otherwise push
 * {@code finalized_before} forward and turn every honest reading into a late one.
 *
 * <p>The limits of the stores are rules too, so no record reaches a store that cannot hold it: values within
 * DECIMAL(12,2), account ids within their VARCHAR(128) column, text that UTF-8 can encode.
 *
 * @param maxAbsValue readings must satisfy |value| < this (the stored type is DECIMAL(12,2))
 * @param maxAccountIdLength longest account id, in characters (the stored type is VARCHAR(128))
 */
public record ValidationRules(Instant earliest, Duration maxFutureSkew, BigDecimal maxAbsValue, int maxAccountIdLength)
    implements Serializable {

  /** Null when {@code account} can be a key of the stored counts, else the reason. */
  String accountIdProblem(String account) {
    if (account.isBlank()) {
      return "empty field: account_id";
    }
    int length = account.codePointCount(0, account.length());
    if (length > maxAccountIdLength) {
      return "account_id too long: " + length + " characters (at most " + maxAccountIdLength + ")";
    }
    for (int i = 0; i < account.length(); i++) {
      char c = account.charAt(i);
      if (Character.isSurrogate(c)) {
        boolean paired = Character.isHighSurrogate(c) && i + 1 < account.length()
            && Character.isLowSurrogate(account.charAt(i + 1));
        if (!paired) {
          return "account_id is not valid Unicode: an unpaired surrogate at character " + i;
        }
        i++;
      }
    }
    // MySQL's keys compare with trailing spaces ignored (PAD SPACE): "a" and "a " would be one account there.
    if (account.endsWith(" ")) {
      return "account_id ends with a space (the stored key ignores trailing spaces)";
    }
    return null;
  }

  /** Null when {@code ts} is plausible at processing time {@code now}, else the reason. */
  String timestampProblem(Instant ts, Instant now) {
    if (ts.isBefore(earliest)) {
      return "absurd timestamp: " + ts + " is before " + earliest;
    }
    Instant latest = now.plus(maxFutureSkew);
    if (ts.isAfter(latest)) {
      return "absurd timestamp: " + ts + " is more than " + maxFutureSkew + " after processing time " + now;
    }
    return null;
  }
}
