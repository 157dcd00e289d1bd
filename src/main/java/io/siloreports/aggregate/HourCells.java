package io.siloreports.aggregate;

import java.util.Arrays;

/**
 * The hourly combiner's cells by silo-hour, keyed by the packed long itself (silo in the high 32 bits, the hour since
 * the epoch in the low 32): open addressing over a {@code long[]}, so finding a reading's cell makes no key object
 * and follows no map node, which a {@code HashMap} of boxed keys did for every reading.
 */
final class HourCells {
  private long[] keys = new long[64];
  private HourlyCell[] cells = new HourlyCell[64];
  private int size;

  static long pack(int silo, long hour) {
    return ((long) silo << 32) | (hour & 0xFFFFFFFFL);
  }

  static int silo(long packed) {
    return (int) (packed >>> 32);
  }

  /** The hour since the epoch (signed). */
  static int hour(long packed) {
    return (int) packed;
  }

  /** The cell of {@code packed}, made empty if it had none. */
  HourlyCell cell(long packed) {
    int mask = keys.length - 1;
    int i = slot(packed) & mask;
    while (cells[i] != null) {
      if (keys[i] == packed) {
        return cells[i];
      }
      i = (i + 1) & mask;
    }
    HourlyCell c = new HourlyCell();
    keys[i] = packed;
    cells[i] = c;
    if (++size * 2 > keys.length) {
      grow();
    }
    return c;
  }

  /** Puts a cell for a key that has none ({@link #cell} would make it empty first). */
  void put(long packed, HourlyCell c) {
    int mask = keys.length - 1;
    int i = slot(packed) & mask;
    while (cells[i] != null) {
      if (keys[i] == packed) {
        cells[i] = c;
        return;
      }
      i = (i + 1) & mask;
    }
    keys[i] = packed;
    cells[i] = c;
    if (++size * 2 > keys.length) {
      grow();
    }
  }

  HourlyCell get(long packed) {
    int mask = keys.length - 1;
    for (int i = slot(packed) & mask; cells[i] != null; i = (i + 1) & mask) {
      if (keys[i] == packed) {
        return cells[i];
      }
    }
    return null;
  }

  int size() {
    return size;
  }

  /** Every key, in silo then hour order (the store's key order). */
  long[] sortedKeys() {
    long[] out = new long[size];
    int n = 0;
    for (int i = 0; i < cells.length; i++) {
      if (cells[i] != null) {
        out[n++] = keys[i];
      }
    }
    // silo and hour are signed ints packed high and low: flipping the low int's sign bit makes the long order theirs
    for (int i = 0; i < n; i++) {
      out[i] ^= 0x80000000L;
    }
    Arrays.sort(out);
    for (int i = 0; i < n; i++) {
      out[i] ^= 0x80000000L;
    }
    return out;
  }

  interface CellConsumer {
    void accept(long packed, HourlyCell cell);
  }

  void forEach(CellConsumer each) {
    for (int i = 0; i < cells.length; i++) {
      if (cells[i] != null) {
        each.accept(keys[i], cells[i]);
      }
    }
  }

  /** Mixes the bits: silo-hours of a day differ in few low bits, which a plain modulo would crowd together. */
  private static int slot(long packed) {
    long h = packed * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32));
  }

  private void grow() {
    long[] oldKeys = keys;
    HourlyCell[] oldCells = cells;
    keys = new long[oldKeys.length * 2];
    cells = new HourlyCell[oldKeys.length * 2];
    size = 0;
    for (int i = 0; i < oldCells.length; i++) {
      if (oldCells[i] != null) {
        put(oldKeys[i], oldCells[i]);
      }
    }
  }
}
