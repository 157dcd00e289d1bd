package io.siloreports.worker;

import java.time.Instant;

/** Work a worker does every round besides submitting: create scheduled jobs, notify, apply retention. */
public interface Duty {
  /** One round of the duty at {@code now}; a failure is logged and the duty runs again next round. */
  void run(Instant now);

  String describe();
}
