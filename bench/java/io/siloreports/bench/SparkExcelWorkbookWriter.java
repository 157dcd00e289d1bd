package io.siloreports.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;

import io.siloreports.report.statistics.ReportStatistics;
import io.siloreports.report.statistics.StatisticsSettings;
import io.siloreports.report.workbook.ReportHeader;
import io.siloreports.report.workbook.ReportLayout;
import io.siloreports.report.workbook.SxssfWorkbookWriter;
import io.siloreports.report.workbook.WorkbookStats;
import io.siloreports.report.workbook.WorkbookWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the report workbook through crealytics spark-excel's V1 data source
 * ({@code com.crealytics.spark.excel}): the summary sheet with mode overwrite, then every further sheet with
 * mode append. Kept to measure against {@link SxssfWorkbookWriter}: each append reads and rewrites the
 * whole workbook, built in driver memory, so time grows with sheets x rows and memory with rows.
 *
 * <p>Only the format name is used, so this compiles without spark-excel; its jar
 * ({@code com.crealytics:spark-excel_2.12:3.3.1_0.18.7}) must be on the classpath at run time, and our POI
 * must not be (the jar bundles an unrelocated POI 5.2.3).
 *
 * <p>Differences from {@link SxssfWorkbookWriter}'s output: summary facts are text (a DataFrame column has
 * one type), numbers have no number format, counts are stored as 42.0, dimensions are POI's.
 */
public final class SparkExcelWorkbookWriter implements WorkbookWriter {
  private static final Logger log = LoggerFactory.getLogger(SparkExcelWorkbookWriter.class);

  static final String FORMAT = "com.crealytics.spark.excel";
  private static final DateTimeFormatter FACT_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
  private static final int LOG_EVERY_SILOS = 10;

  private final int maxRowsPerSheet;

  public SparkExcelWorkbookWriter() {
    this(SxssfWorkbookWriter.EXCEL_MAX_ROWS_PER_SHEET);
  }

  /** @param maxRowsPerSheet rows per silo sheet including its header row */
  public SparkExcelWorkbookWriter(int maxRowsPerSheet) {
    if (maxRowsPerSheet < 2 || maxRowsPerSheet > SxssfWorkbookWriter.EXCEL_MAX_ROWS_PER_SHEET) {
      throw new IllegalArgumentException("maxRowsPerSheet must be 2.." + SxssfWorkbookWriter.EXCEL_MAX_ROWS_PER_SHEET);
    }
    this.maxRowsPerSheet = maxRowsPerSheet;
  }

  /** spark-excel writes a Dataset: rows already on the driver are not its use. */
  @Override
  public WorkbookStats write(ReportHeader header, java.util.Iterator<io.siloreports.report.workbook.FinalHourlyRow> rows,
      List<Integer> silos, Path target) {
    throw new UnsupportedOperationException("spark-excel writes from a Dataset");
  }

  @Override
  public WorkbookStats write(ReportHeader header, Dataset<Row> rows, List<Integer> silos, Path target)
      throws IOException {
    // spark-excel turns a timestamp into java.util.Date and POI writes that in the JVM's default zone.
    if (TimeZone.getDefault().getRawOffset() != 0 || TimeZone.getDefault().useDaylightTime()) {
      throw new IllegalStateException(
          "spark-excel writes hours in the JVM's default time zone (" + TimeZone.getDefault().getID()
              + "), not UTC: run the driver with -Duser.timezone=UTC");
    }
    SparkSession spark = rows.sparkSession();
    long started = System.nanoTime();
    Path destination = target.toAbsolutePath();
    Files.createDirectories(destination.getParent());
    Path partial = SxssfWorkbookWriter.partialFileFor(destination);
    // Hadoop's local file system writes a checksum file beside what it writes.
    Path partialChecksum = partial.resolveSibling("." + partial.getFileName() + ".crc");
    log.info("Writing workbook {} for job {} with spark-excel: {} silos", destination, header.jobId(), silos.size());
    try {
      // The summary is the first sheet and spark-excel cannot reorder sheets: count first, then write.
      List<ReportLayout.SiloSheets> siloSheets = siloSheets(rows, silos);
      long totalRows = siloSheets.stream().mapToLong(ReportLayout.SiloSheets::rows).sum();
      String path = partial.toUri().toString();

      List<Row> facts = new ArrayList<>();
      // No statistics: this writer is the benchmarks' comparison of plain writing speed.
      ReportStatistics none = new ReportStatistics(header.from(), header.to(), header.cutoff(),
          StatisticsSettings.DEFAULTS);
      for (ReportLayout.Fact fact : ReportLayout.facts(header, silos, totalRows, new ReportLayout.Revisions(), none)) {
        facts.add(RowFactory.create(fact.label(), text(fact.value())));
      }
      StructType factSchema = new StructType().add("fact", DataTypes.StringType).add("value", DataTypes.StringType);
      save(spark.createDataFrame(facts, factSchema), SaveMode.Overwrite, ReportLayout.SUMMARY_SHEET, "A1", false, path);

      List<Row> table = new ArrayList<>();
      for (ReportLayout.SiloSheets s : siloSheets) {
        table.add(
            RowFactory.create(
                s.siloId(), String.join(", ", s.sheetNames()), s.rows(), timestamp(s.firstHour()), timestamp(s.lastHour())));
      }
      StructType tableSchema = new StructType();
      List<org.apache.spark.sql.types.DataType> types =
          List.of(DataTypes.IntegerType, DataTypes.StringType, DataTypes.LongType, DataTypes.TimestampType, DataTypes.TimestampType);
      for (int c = 0; c < types.size(); c++) {
        tableSchema = tableSchema.add(ReportLayout.SUMMARY_TABLE_HEADER.get(c), types.get(c));
      }
      save(spark.createDataFrame(table, tableSchema), SaveMode.Append, ReportLayout.SUMMARY_SHEET,
          "A" + (facts.size() + 2), true, path);

      int dataRowsPerSheet = maxRowsPerSheet - 1;
      int done = 0;
      for (ReportLayout.SiloSheets silo : siloSheets) {
        Dataset<Row> siloRows = sheetColumns(rows.filter(col("silo_id").equalTo(silo.siloId())));
        if (silo.sheetNames().size() == 1) {
          save(siloRows.orderBy(col(ReportLayout.SILO_HEADER.get(0))), SaveMode.Append, silo.sheetNames().get(0), "A1", true, path);
        } else {
          // Number the silo's rows by hour (one partition: a silo has at most a few sheets of rows).
          Dataset<Row> numbered =
              siloRows.withColumn("_n", row_number().over(Window.orderBy(col(ReportLayout.SILO_HEADER.get(0)))));
          for (int p = 0; p < silo.sheetNames().size(); p++) {
            Dataset<Row> part =
                numbered.filter(col("_n").gt((long) p * dataRowsPerSheet).and(col("_n").leq((long) (p + 1) * dataRowsPerSheet)))
                    .orderBy("_n")
                    .drop("_n");
            save(part, SaveMode.Append, silo.sheetNames().get(p), "A1", true, path);
          }
        }
        if (++done % LOG_EVERY_SILOS == 0) {
          log.info("spark-excel workbook {}: {} of {} silos written, {} s", destination.getFileName(), done,
              siloSheets.size(), (System.nanoTime() - started) / 1_000_000_000L);
        }
      }
      Files.move(partial, destination, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      Map<Integer, Long> rowsPerSilo = new LinkedHashMap<>();
      siloSheets.forEach(s -> rowsPerSilo.put(s.siloId(), s.rows()));
      int sheets = 1 + siloSheets.stream().mapToInt(s -> s.sheetNames().size()).sum();
      WorkbookStats stats = new WorkbookStats(rowsPerSilo, sheets, Files.size(destination));
      log.info("Wrote workbook {} with spark-excel: {} rows on {} sheets, {} bytes, in {} s", destination,
          totalRows, sheets, stats.bytes(), (System.nanoTime() - started) / 1_000_000_000L);
      return stats;
    } finally {
      Files.deleteIfExists(partial);
      Files.deleteIfExists(partialChecksum);
    }
  }

  /** Rows, hour range and sheet names per silo in list order, from one aggregation. */
  private List<ReportLayout.SiloSheets> siloSheets(Dataset<Row> rows, List<Integer> silos) {
    Map<Integer, Row> bySilo = new HashMap<>();
    for (Row r :
        rows.groupBy("silo_id").agg(count("*"), min("hour_start"), max("hour_start")).collectAsList()) {
      if (!silos.contains(r.getInt(0))) {
        throw new IllegalArgumentException(
            "rows contain silo " + r.getInt(0) + ", which is not among the report's " + silos.size() + " silos");
      }
      bySilo.put(r.getInt(0), r);
    }
    List<ReportLayout.SiloSheets> result = new ArrayList<>();
    long dataRowsPerSheet = maxRowsPerSheet - 1;
    for (int silo : silos) {
      Row r = bySilo.get(silo);
      long n = r == null ? 0 : r.getLong(1);
      long parts = Math.max(1, (n + dataRowsPerSheet - 1) / dataRowsPerSheet);
      List<String> names = new ArrayList<>();
      for (int p = 1; p <= parts; p++) {
        names.add(ReportLayout.siloSheetName(silo, p));
      }
      result.add(
          new ReportLayout.SiloSheets(
              silo, names, n, r == null ? null : r.getTimestamp(2).toInstant(), r == null ? null : r.getTimestamp(3).toInstant()));
    }
    return result;
  }

  private static Dataset<Row> sheetColumns(Dataset<Row> rows) {
    List<String> in = List.of("hour_start", "avg_value", "min_value", "max_value", "sum_value", "record_count",
        "late_count", "revised_at");
    org.apache.spark.sql.Column[] out = new org.apache.spark.sql.Column[in.size()];
    for (int c = 0; c < in.size(); c++) {
      out[c] = col(in.get(c)).as(ReportLayout.SILO_HEADER.get(c));
    }
    return rows.select(out);
  }

  private static void save(Dataset<Row> df, SaveMode mode, String sheet, String cell, boolean header, String path) {
    df.write()
        .format(FORMAT)
        .option("dataAddress", "'" + sheet + "'!" + cell)
        .option("header", Boolean.toString(header))
        .option("timestampFormat", SxssfWorkbookWriter.HOUR_FORMAT)
        .mode(mode)
        .save(path);
  }

  private static String text(Object value) {
    if (value == null) {
      return null;
    }
    return value instanceof Instant instant ? FACT_TIME.format(instant) : value.toString();
  }

  private static Timestamp timestamp(Instant instant) {
    return instant == null ? null : Timestamp.from(instant);
  }
}
