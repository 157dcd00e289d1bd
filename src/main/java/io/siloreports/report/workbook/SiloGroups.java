package io.siloreports.report.workbook;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A report's rows in sheet order, handed over one silo at a time: every listed silo once, in list order, with its
 * rows in hour order (an empty list for a silo without rows). One silo's rows are held at once, so memory grows with
 * the range's hours, not with the report. Both writers read the rows this way, so they agree on order and checks.
 */
final class SiloGroups {
  /** Receives each silo's rows. */
  interface Consumer {
    void silo(int siloId, List<FinalHourlyRow> rows) throws IOException;
  }

  private SiloGroups() {}

  static void forEach(Iterator<FinalHourlyRow> rows, List<Integer> silos, Consumer consumer) throws IOException {
    Map<Integer, Integer> positionBySilo = positions(silos);
    int nextPosition = 0; // silos before it have been handed over
    List<FinalHourlyRow> current = new ArrayList<>();
    while (rows.hasNext()) {
      FinalHourlyRow row = rows.next();
      if (!current.isEmpty() && row.siloId() == current.get(0).siloId()) {
        FinalHourlyRow previous = current.get(current.size() - 1);
        if (!row.hourStart().isAfter(previous.hourStart())) {
          throw new IllegalStateException("silo " + row.siloId() + ": hour " + row.hourStart() + " came after "
              + previous.hourStart() + ": rows are not in hour order");
        }
        current.add(row);
        continue;
      }
      Integer position = positionBySilo.get(row.siloId());
      if (position == null) {
        throw new IllegalArgumentException("rows contain silo " + row.siloId() + ", which is not among the report's "
            + silos.size() + " silos: the rows and the silo list disagree");
      }
      if (position < nextPosition) {
        throw new IllegalStateException(
            "rows of silo " + row.siloId() + " came after later silos' sheets: rows are not in sheet order");
      }
      if (!current.isEmpty()) {
        consumer.silo(current.get(0).siloId(), current);
        current = new ArrayList<>();
      }
      for (; nextPosition < position; nextPosition++) {
        consumer.silo(silos.get(nextPosition), List.of());
      }
      nextPosition = position + 1;
      current.add(row);
    }
    if (!current.isEmpty()) {
      consumer.silo(current.get(0).siloId(), current);
    }
    for (; nextPosition < silos.size(); nextPosition++) {
      consumer.silo(silos.get(nextPosition), List.of());
    }
  }

  static Map<Integer, Integer> positions(List<Integer> silos) {
    Map<Integer, Integer> positionBySilo = new HashMap<>();
    for (int i = 0; i < silos.size(); i++) {
      Integer silo = silos.get(i);
      if (silo == null) {
        throw new IllegalArgumentException("silo list contains null at position " + i);
      }
      if (positionBySilo.put(silo, i) != null) {
        throw new IllegalArgumentException("silo " + silo + " is listed twice; each silo gets one set of sheets");
      }
    }
    return positionBySilo;
  }

  /** The statistics' view of a silo's rows. */
  static List<io.siloreports.report.statistics.SiloHour> hours(List<FinalHourlyRow> rows) {
    List<io.siloreports.report.statistics.SiloHour> hours = new ArrayList<>(rows.size());
    for (FinalHourlyRow r : rows) {
      hours.add(r.toSiloHour());
    }
    return hours;
  }
}
