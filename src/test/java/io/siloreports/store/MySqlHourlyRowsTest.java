package io.siloreports.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A silo list in a user's order is read as one key-ordered query per ascending run of it. */
class MySqlHourlyRowsTest {
  @Test
  void ascendingRunsKeepTheListOrder() {
    assertEquals(List.of(List.of(5, 6, 9), List.of(2, 3), List.of(1)),
        MySqlHourlyRows.ascendingRuns(List.of(5, 6, 9, 2, 3, 1)));
    assertEquals(List.of(List.of(1, 2, 3)), MySqlHourlyRows.ascendingRuns(List.of(1, 2, 3)));
    assertEquals(List.of(), MySqlHourlyRows.ascendingRuns(List.of()));
    assertEquals(List.of(List.of(7), List.of(7)), MySqlHourlyRows.ascendingRuns(List.of(7, 7)));
  }
}
