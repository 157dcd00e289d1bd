package io.siloreports.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TablePositionTest {
  private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
  private static final Duration TIMEOUT = Duration.ofMinutes(10);

  @Test
  void idsReadInOrderMoveThePositionWithoutGaps() {
    TablePosition.Advance a = TablePosition.START.after(5, new long[] {1, 2, 3, 4, 5}, T0, TIMEOUT);
    assertEquals("id=5", a.position().format());
    assertEquals(List.of(), a.abandoned());
  }

  @Test
  void anIdNotVisibleYetIsAGapReadAgainUntilItAppears() {
    TablePosition p = TablePosition.START.after(6, new long[] {1, 2, 4, 6}, T0, TIMEOUT).position();
    assertEquals(List.of(new TablePosition.Gap(3, 3, T0), new TablePosition.Gap(5, 5, T0)), p.gaps());
    assertEquals(p, TablePosition.parse(p.format()), "the text form round-trips");
    TablePosition later = p.after(8, new long[] {5, 7, 8}, T0.plusSeconds(5), TIMEOUT).position();
    assertEquals("id=8;gaps=3-3@" + T0.toEpochMilli(), later.format(), "5 appeared, 3 is still missing");
  }

  @Test
  void aGapSplitsWhereIdsInsideItAppear() {
    TablePosition p = new TablePosition(20, List.of(new TablePosition.Gap(10, 15, T0)));
    TablePosition next = p.after(20, new long[] {12, 13}, T0.plusSeconds(1), TIMEOUT).position();
    assertEquals(List.of(new TablePosition.Gap(10, 11, T0), new TablePosition.Gap(14, 15, T0)), next.gaps());
  }

  @Test
  void aGapMissingLongerThanTheTimeoutIsAbandoned() {
    TablePosition p = new TablePosition(20, List.of(new TablePosition.Gap(10, 10, T0)));
    TablePosition.Advance a = p.after(21, new long[] {21}, T0.plus(TIMEOUT).plusSeconds(1), TIMEOUT);
    assertEquals("id=21", a.position().format());
    assertEquals(List.of(new TablePosition.Gap(10, 10, T0)), a.abandoned());
  }

  @Test
  void idsNotYetInsertedAtTheTopOfTheRangeAreAGapToo() {
    // MAX(id) was 10 when the range was chosen; 9 and 10 were not visible to the read that followed
    assertEquals("id=10;gaps=9-10@" + T0.toEpochMilli(),
        TablePosition.START.after(10, new long[] {1, 2, 3, 4, 5, 6, 7, 8}, T0, TIMEOUT).position().format());
  }

  @Test
  void garbageIsRefusedWithTheText() {
    assertEquals(TablePosition.START, TablePosition.parse(null));
    assertThrows(IllegalArgumentException.class, () -> TablePosition.parse("offset=3"));
  }
}
