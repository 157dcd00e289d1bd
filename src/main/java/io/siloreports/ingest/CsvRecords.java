package io.siloreports.ingest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodecFactory;

/**
 * Raw CSV input (file backfills): one record per line, a header line first in every file naming the columns
 * ({@code silo_id,ts,value} or {@code record_type,account_id,ts}; any order, extra columns ignored, names
 * case-insensitive; a byte order mark before it is ignored; a later line equal to the header is not a row;
 * compressed files, by extension, are read decompressed like Spark's text source reads them). Fields are separated
 * by commas and may be double-quoted ({@code ""} inside quotes is a
 * quote); surrounding spaces are trimmed; an empty field is a missing one. A quoted field cannot span lines.
 *
 * <p>The fields then go through {@link RecordParser#parseReadingFields} / {@link RecordParser#parseEventFields},
 * the same checks as JSON lines. On top of those, CSV has its own bad rows: a row that does not split
 * ({@code unparseable CSV: ...}), a short row ({@code missing field: <first missing column>}), a row with more
 * fields than its header ({@code unparseable CSV: ...}), and every row of a file whose header lacks a required
 * column ({@code missing field: <column> (not in the CSV header ...)}, the header line included, so nothing
 * is dropped silently).
 */
public final class CsvRecords {
  private CsvRecords() {}

  /**
   * The header of one file: where each required column is ({@code -1} when absent) and how many columns it
   * has. {@code problem} is set when a required column is missing (then no line of the file is a header).
   */
  public record Header(String line, int[] positions, int width, String problem) implements Serializable {

    /** {@code line} without a byte order mark: Spark's text source drops the one at the start of a file. */
    public static Header of(String line, RecordFormat format) {
      line = RecordParser.withoutByteOrderMark(line);
      List<String> required = format.csvColumns();
      List<String> names;
      try {
        names = split(line);
      } catch (IllegalArgumentException e) {
        names = List.of();
      }
      int[] pos = new int[required.size()];
      Arrays.fill(pos, -1);
      for (int i = names.size() - 1; i >= 0; i--) { // the first of duplicate names wins
        int k = required.indexOf(names.get(i).strip().toLowerCase(Locale.ROOT));
        if (k >= 0) {
          pos[k] = i;
        }
      }
      String problem = null;
      for (int k = 0; k < pos.length; k++) {
        if (pos[k] < 0) {
          problem = "missing field: " + required.get(k) + " (not in the CSV header '" + abbreviate(line)
              + "', expected " + String.join(",", required) + ")";
          break;
        }
      }
      return new Header(line, pos, names.size(), problem);
    }

    /** The required fields of a row (null where missing), or throws with the reason the row is bad. */
    String[] fields(String row) {
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
      List<String> f = split(row);
      if (f.size() > width) {
        throw new IllegalArgumentException("unparseable CSV: " + f.size() + " fields, the header has " + width);
      }
      String[] out = new String[positions.length];
      for (int k = 0; k < positions.length; k++) {
        String v = positions[k] < f.size() ? f.get(positions[k]).strip() : null;
        out[k] = v == null || v.isEmpty() ? null : v;
      }
      return out;
    }
  }

  /** Splits one CSV line into its fields; throws IllegalArgumentException (the reason) when it cannot. */
  public static List<String> split(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    int i = 0;
    int n = line.length();
    while (true) {
      // at the start of a field
      int start = i;
      while (i < n && line.charAt(i) == ' ') {
        i++;
      }
      if (i < n && line.charAt(i) == '"') {
        i++;
        while (true) {
          if (i >= n) {
            throw new IllegalArgumentException("unparseable CSV: unterminated quoted field " + (out.size() + 1));
          }
          char c = line.charAt(i++);
          if (c == '"') {
            if (i < n && line.charAt(i) == '"') {
              cur.append('"');
              i++;
            } else {
              break;
            }
          } else {
            cur.append(c);
          }
        }
        while (i < n && line.charAt(i) == ' ') {
          i++;
        }
        if (i < n && line.charAt(i) != ',') {
          throw new IllegalArgumentException("unparseable CSV: text after the closing quote of field " + (out.size() + 1));
        }
      } else {
        i = start;
        while (i < n && line.charAt(i) != ',') {
          char c = line.charAt(i++);
          if (c == '"') {
            throw new IllegalArgumentException("unparseable CSV: a quote inside unquoted field " + (out.size() + 1));
          }
          cur.append(c);
        }
      }
      out.add(cur.toString());
      cur.setLength(0);
      if (i >= n) {
        return out;
      }
      i++; // the comma
    }
  }

  /** One CSV row of silo readings, validated like a JSON line. */
  public static RecordParser.Reading reading(String row, Header header, ValidationRules rules, Instant now) {
    String[] f;
    try {
      f = header.fields(row);
    } catch (IllegalArgumentException e) {
      return new RecordParser.Reading(null, null, null, e.getMessage());
    }
    return RecordParser.parseReadingFields(f[0], f[1], f[2], rules, now);
  }

  /** One CSV row of activity events, validated like a JSON line. */
  public static RecordParser.Event event(String row, Header header, ValidationRules rules, Instant now) {
    String[] f;
    try {
      f = header.fields(row);
    } catch (IllegalArgumentException e) {
      return new RecordParser.Event(null, null, null, e.getMessage());
    }
    return RecordParser.parseEventFields(f[0], f[1], f[2], rules, now);
  }

  /**
   * The header of every file in {@code files} (as Spark lists them, e.g. {@code Dataset.inputFiles()}), read on
   * the driver (the first line of each file), keyed by {@link #fileKey}.
   */
  public static Map<String, Header> headers(String[] files, RecordFormat format, Configuration hadoop) {
    Map<String, Header> out = new HashMap<>();
    CompressionCodecFactory codecs = new CompressionCodecFactory(hadoop);
    for (String file : files) {
      try {
        Path path = new Path(URI.create(file)); // inputFiles() are URIs (%20 for a space)
        FileSystem fs = path.getFileSystem(hadoop);
        try (BufferedReader r = RawFileSource.openText(fs, path, codecs)) {
          String first = r.readLine();
          out.put(fileKey(file), Header.of(first == null ? "" : first, format));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the CSV header of " + file, e);
      }
    }
    return out;
  }

  /**
   * A file's path without scheme and authority, decoded: Spark's {@code input_file_name()} gives
   * {@code file:///d/a%20b.csv} where a Hadoop listing gives {@code file:/d/a b.csv}.
   */
  public static String fileKey(String file) {
    try {
      return new URI(file).getPath();
    } catch (URISyntaxException e) {
      return new Path(file).toUri().getPath();
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }
}
