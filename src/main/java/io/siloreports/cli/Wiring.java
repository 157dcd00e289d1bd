package io.siloreports.cli;

import io.siloreports.api.ApiServer;
import io.siloreports.metrics.ServiceMetrics;
import io.siloreports.backfill.BackfillJob;
import io.siloreports.config.Keys;
import io.siloreports.db.Jdbc;
import io.siloreports.db.SchemaMigrations.Scope;
import io.siloreports.db.SchemaPolicy;
import io.siloreports.ingest.KafkaSource;
import io.siloreports.ingest.MySqlTableSource;
import io.siloreports.ingest.RawFileSource;
import io.siloreports.ingest.RawSource;
import io.siloreports.jobstore.JdbcReportJobStore;
import io.siloreports.jobstore.JdbcScheduleStore;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.output.LocalDownloadLinks;
import io.siloreports.output.LocalReportOutput;
import io.siloreports.output.S3ReportOutput;
import io.siloreports.report.SiloReport;
import io.siloreports.report.hot.HotReadings;
import io.siloreports.report.hot.RawHotReadings;
import io.siloreports.report.workbook.CsvZipWriter;
import io.siloreports.report.workbook.PdfReportWriter;
import io.siloreports.report.workbook.SxssfWorkbookWriter;
import io.siloreports.reportjob.DownloadLinks;
import io.siloreports.reportjob.ReadLinks;
import io.siloreports.reportjob.ReportJobLifecycle;
import io.siloreports.reportjob.ReportOutput;
import io.siloreports.store.AggregateStore;
import io.siloreports.store.MySqlAggregateStore;
import io.siloreports.store.MySqlProgressStore;
import io.siloreports.store.MySqlRetention;
import io.siloreports.store.MySqlStoreQueries;
import io.siloreports.store.ParquetAggregateStore;
import io.siloreports.store.ParquetProgressStore;
import io.siloreports.store.ParquetStoreQueries;
import io.siloreports.store.ProgressStore;
import io.siloreports.store.StoreQueries;
import io.siloreports.stream.MicroBatchEngine;
import io.siloreports.stream.RunAttempt;
import io.siloreports.stream.ScheduledRetention;
import io.siloreports.stream.SparkQueryEngine;
import io.siloreports.stream.StopMarker;
import io.siloreports.stream.StreamJob;
import io.siloreports.stream.TablePollingEngine;
import io.siloreports.worker.ReportWorker;
import io.siloreports.worker.Retention;
import io.siloreports.worker.notify.ChatNotifier;
import io.siloreports.worker.notify.Notifications;
import io.siloreports.worker.notify.Notifier;
import io.siloreports.worker.notify.EmailNotifier;
import io.siloreports.worker.notify.SesEmailTransport;
import io.siloreports.worker.notify.SnsNotifier;
import io.siloreports.worker.notify.WebhookNotifier;
import io.siloreports.worker.schedule.ReportSchedule;
import io.siloreports.worker.schedule.Scheduler;
import io.siloreports.worker.schedule.StoredSchedules;
import io.siloreports.worker.submit.AirflowSubmitter;
import io.siloreports.worker.submit.EmrServerlessSubmitter;
import io.siloreports.worker.submit.EmrSubmitter;
import io.siloreports.worker.submit.LocalSubmitter;
import io.siloreports.worker.submit.Submitter;
import io.siloreports.worker.submit.WarmSubmitter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * The composition root: turns the typed configs into the ports the jobs need (stores, sources, outputs, the job
 * store) and builds every job. Longer than most files: it is the one place that knows every implementation, each
 * job's wiring a short method here rather than a factory of its own. Commands, the tests and the other entry points
 * wire jobs here and nowhere else. Schemas are prepared here too, through {@link SchemaPolicy}, for exactly the
 * databases a job uses.
 */
public final class Wiring {
  private Wiring() {}

  /** A job's aggregate store and the progress store it commits through. */
  public record Stores(AggregateStore aggregates, ProgressStore progress) {}

  /** The stores of {@code config} on {@code spark}; Parquet reads and writes through the session's Hadoop conf. */
  public static Stores stores(StoreConfig config, SparkSession spark) {
    return stores(config, () -> spark, spark.sparkContext().hadoopConfiguration());
  }

  /** The same with a session started only when a store's read needs Spark. */
  public static Stores stores(StoreConfig config, Supplier<SparkSession> spark, Configuration hadoop) {
    if (config.mysql()) {
      MySqlProgressStore progress = new MySqlProgressStore(config.db());
      return new Stores(new MySqlAggregateStore(spark, config.db(), progress), progress);
    }
    ParquetProgressStore progress = new ParquetProgressStore(hadoop, config.warehouseDir());
    return new Stores(
        new ParquetAggregateStore(spark, hadoop, config.warehouseDir(), progress, config.compactEvery(), () -> {})
            .directReadMaxRows(config.directReadMaxRows()).retention(config.retention()),
        progress);
  }

  /** The progress store alone, without Spark ({@code status}); {@code spark.hadoop.*} keys reach Hadoop. */
  public static ProgressStore progressStore(StoreConfig config, Map<String, String> sparkConf) {
    if (config.mysql()) {
      return new MySqlProgressStore(config.db());
    }
    return new ParquetProgressStore(hadoop(sparkConf), config.warehouseDir());
  }

  /**
   * A Hadoop configuration with the {@code spark.hadoop.*} settings (the job's, and spark-submit's), for readers
   * without a SparkSession.
   */
  public static Configuration hadoop(Map<String, String> sparkConf) {
    Configuration hadoop = new Configuration();
    for (scala.Tuple2<String, String> kv : new org.apache.spark.SparkConf().getAll()) {
      if (kv._1().startsWith("spark.hadoop.")) {
        hadoop.set(kv._1().substring("spark.hadoop.".length()), kv._2());
      }
    }
    sparkConf.forEach((k, v) -> {
      if (k.startsWith("spark.hadoop.")) {
        hadoop.set(k.substring("spark.hadoop.".length()), v);
      }
    });
    return hadoop;
  }

  public static RawSource rawSource(SourceConfig config) {
    if (config.mysql()) {
      return tableSource(config);
    }
    return config.kafka()
        ? new KafkaSource(config.topics(), config.kafkaOptions(), config.kafkaStreamOptions(), config.kafkaStartSlack())
        : new RawFileSource(config.inputDir(), config.fileOptions(), config.maxBytesPerBatch());
  }

  /** The MySQL raw table of {@code source.mysql.*} in the {@code db.*} database. */
  public static MySqlTableSource tableSource(SourceConfig config) {
    if (config.db() == null) {
      throw new IllegalArgumentException("the MySQL raw table needs db.url (and db.user, db.password)");
    }
    return new MySqlTableSource(config.db(), config.table(), config.tableMaxRows(), config.tableGapTimeout());
  }

  public static ReportOutput reportOutput(OutputConfig config) {
    return config.s3() != null ? new S3ReportOutput(config.s3()) : new LocalReportOutput(Path.of(config.dir()));
  }

  /** The {@code report_jobs} store, its schema checked (or migrated) first. */
  public static ReportJobStore jobStore(Jdbc db, boolean migrateOnStart, Clock clock) {
    SchemaPolicy.prepare(db, Scope.JOB_STORE, migrateOnStart);
    return new JdbcReportJobStore(db, clock);
  }

  /** The aggregates database's schema, checked (or migrated) before a job uses it. */
  /**
   * The retention of the MySQL aggregates ({@code retention}, and a MySQL stream's own every {@code retention.every});
   * the Parquet store applies it when it compacts.
   */
  public static MySqlRetention retention(StoreConfig config) {
    return new MySqlRetention(config.db(), config.retention());
  }

  public static void prepareAggregates(Jdbc db, boolean migrateOnStart) {
    SchemaPolicy.prepare(db, Scope.AGGREGATES, migrateOnStart);
  }

  public static StreamJob stream(StreamConfig config, SparkSession spark, Clock clock) {
    if (config.store().mysql()) {
      prepareAggregates(config.store().db(), config.migrateOnStart());
    }
    Stores stores = stores(config.store(), spark);
    return StreamJob.builder()
        .engine(streamEngine(config, spark, stores.progress(), clock))
        .store(stores.aggregates(), stores.progress())
        .pipelines(config.pipelines())
        .triggerInterval(config.triggerInterval())
        .lateness(config.lateness())
        .rules(config.rules())
        .storeOutageTolerance(config.storeOutageTolerance())
        .stopMarker(config.stopFile() == null ? null
            : new StopMarker(config.stopFile(), spark.sessionState().newHadoopConf()))
        .attempt(RunAttempt.of(spark.sparkContext()))
        .metricsEndpoint(config.metricsBind(), config.metricsPort())
        .retention(config.store().mysql() && config.retentionEvery() != null
            ? new ScheduledRetention(retention(config.store()), config.retentionEvery(), clock,
                config.store().db().where())
            : null)
        .clock(clock)
        .build();
  }

  /**
   * How the stream's micro-batches reach its aggregators: the MySQL raw table read by position on the driver, else a
   * Spark query per pipeline over files or Kafka, checkpointed under {@code checkpoint.dir}.
   */
  static MicroBatchEngine streamEngine(StreamConfig config, SparkSession spark, ProgressStore progress, Clock clock) {
    return config.source().mysql()
        ? new TablePollingEngine(spark, tableSource(config.source()), progress, clock)
        : new SparkQueryEngine(spark, rawSource(config.source()), config.checkpointDir(),
            config.sourceOutageTolerance());
  }

  /** The report of {@code config} on an existing session (a shell's, a test's). */
  public static SiloReport report(ReportConfig config, SparkSession spark, ReportJobStore jobs, Clock clock) {
    return report(config, () -> spark, spark.sparkContext().hadoopConfiguration(), jobs, clock);
  }

  /**
   * The report of {@code config}, with the aggregates (and the MySQL raw table) schema checked first; {@code spark}
   * is asked for a session only when a part of the report needs one, {@code hadoop} reads files without it.
   */
  public static SiloReport report(ReportConfig config, Supplier<SparkSession> spark, Configuration hadoop,
      ReportJobStore jobs, Clock clock) {
    if (config.store().mysql()) {
      prepareAggregates(config.store().db(), config.migrateOnStart());
    } else if (config.hotFromMySql()) {
      prepareAggregates(config.db(), config.migrateOnStart());
    }
    Stores stores = stores(config.store(), spark, hadoop);
    HotReadings hot = new RawHotReadings(spark,
        config.hotFromMySql() ? tableSource(config.source()) : rawSource(config.source()), config.rules(), clock,
        hadoop, config.checkpointDir());
    return SiloReport.builder()
        .spark(spark)
        .aggregates(stores.aggregates(), stores.progress())
        .hot(hot)
        .jobs(jobs)
        .writers(new SxssfWorkbookWriter(config.statistics()), new CsvZipWriter(config.statistics()))
        .pdfWriter(new PdfReportWriter(config.statistics()))
        .output(reportOutput(config.output()))
        .defaultDays(config.defaultDays())
        .processingTimeout(config.processingTimeout())
        .jobStoreRetry(config.jobStoreRetry())
        .jobCheckInterval(config.jobCheckInterval())
        .clock(clock)
        .build();
  }

  /** The worker of {@code config} over {@code jobs}, with its duties; it is started by whoever runs it. */
  public static ReportWorker worker(WorkerConfig config, ReportJobStore jobs, Clock clock) {
    return worker(config, jobs, clock, null);
  }

  /**
   * The same, counting into the service's {@code metrics} (null: a worker without an endpoint, which observes nothing
   * and so leaves each ended job's durations to a worker that serves them).
   */
  static ReportWorker worker(WorkerConfig config, ReportJobStore jobs, Clock clock, ServiceMetrics metrics) {
    WorkerConfig.ReadLinkSettings l = config.readLinks();
    // A worker apart from the service signs links only with the service's configured key: a random one would not match.
    return worker(config, jobs, clock, metrics, new ReadLinks(l.signingKey() == null ? null : l.publicUrl(),
        l.signingKey() == null ? new byte[1] : l.signingKey().getBytes(StandardCharsets.UTF_8), l.ttl(), clock));
  }

  private static ReportWorker worker(WorkerConfig config, ReportJobStore jobs, Clock clock, ServiceMetrics metrics,
      ReadLinks readLinks) {
    ReportJobStore own = jobs.as("worker " + JdbcReportJobStore.thisProcess());
    ReportJobLifecycle lifecycle = new ReportJobLifecycle(own);
    Submitter submitter = config.local() != null && config.warm() != null
        ? new WarmSubmitter(config.local(), config.warm())
        : config.local() != null ? new LocalSubmitter(config.local())
        : config.emr() != null ? new EmrSubmitter(config.emr())
        : config.emrServerless() != null ? new EmrServerlessSubmitter(config.emrServerless())
        : config.airflow() != null ? new AirflowSubmitter(config.airflow())
        : null;
    ReportWorker.Builder b = ReportWorker.builder()
        .jobs(own)
        .submitter(submitter, config.maxConcurrent())
        .polling(config.pollInterval(), config.remotePollInterval())
        .timeouts(config.pendingTimeout(), config.submittedTimeout(), config.processingTimeout())
        .metrics(metrics)
        .clock(clock);
    // Schedules are data (report_schedules, changed through the API); the settings' ones seed it at start.
    StoredSchedules stored = new StoredSchedules(new JdbcScheduleStore(config.jobStore(), clock),
        Keys.WORKER_POLL_INTERVAL::parse);
    stored.seed(config.schedules(), config.schedulesSettingsWin());
    b.duty(new Scheduler(lifecycle, stored, "the stored schedules (report_schedules; " + config.schedules().size()
        + " from the settings)"));
    boolean retention = config.reportAge() != null || config.jobAge() != null;
    // One client of the reports' store for the duties that read or delete reports, made only when one does.
    ReportOutput reports = retention || config.email() != null ? reportOutput(config.output()) : null;
    // Always on: a stored schedule or an ad hoc request may name targets whatever the settings say.
    List<Notifier> notifiers = new ArrayList<>();
    if (config.webhookSecret() != null) {
      notifiers.add(new WebhookNotifier(config.webhookSecret(), config.webhookAttempts(), config.webhookBackoff(),
          config.webhookTimeout(), clock));
    }
    if (config.email() != null) {
      notifiers.add(new EmailNotifier(config.email().from(), config.emailRecipients(),
          config.email().smtp() != null ? EmailNotifier.smtp(config.email().smtp())
              : new SesEmailTransport(config.email().sesRegion(), config.email().sesEndpoint()))
          .attachments(reports, config.email().maxAttachmentBytes()));
    }
    notifiers.add(new ChatNotifier(config.webhookAttempts(), config.webhookBackoff(), config.webhookTimeout()));
    notifiers.add(new SnsNotifier(config.snsRegion(), config.snsEndpoint()));
    b.duty(new Notifications(own, notifiers, config.notifyTargets(), config.notifyMaxAge()).metrics(metrics)
        .links(readLinks));
    if (retention) {
      b.duty(new Retention(lifecycle, reports, config.reportAge(), config.jobAge(), config.retentionInterval()));
    }
    return b.build();
  }

  /** What the HTTP service reads from the aggregates, without Spark. */
  public static StoreQueries storeQueries(StoreConfig config, Map<String, String> sparkConf) {
    ProgressStore progress = progressStore(config, sparkConf);
    return config.mysql() ? new MySqlStoreQueries(config.db())
        : new ParquetStoreQueries(hadoop(sparkConf), config.warehouseDir(), progress);
  }

  /**
   * The report service and, when {@code api.worker} is on, its worker: never starts Spark; the schemas of the job store
   * (and MySQL aggregates) checked first. Reports on S3 get presigned links; local reports get links this service signs
   * and serves (with a random key unless {@code api.signing-key} is set).
   */
  public static ReportService api(ApiConfig config, Clock clock) throws java.io.IOException {
    ReportJobStore jobs = jobStore(config.jobStore(), config.migrateOnStart(), clock);
    if (config.store().mysql()) {
      prepareAggregates(config.store().db(), config.migrateOnStart());
    }
    DownloadLinks links;
    ApiServer[] server = new ApiServer[1]; // local links name the service's address, known once it is built
    byte[] key = config.signingKey() != null ? config.signingKey().getBytes(StandardCharsets.UTF_8) : randomKey();
    if (config.output().s3() != null) {
      links = new S3ReportOutput(config.output().s3());
    } else {
      links = new LocalDownloadLinks(Path.of(config.output().dir()),
          () -> config.publicUrl() != null ? config.publicUrl() : server[0].url(), key, config.linkTtl(), clock);
    }
    ReadLinks readLinks = new ReadLinks(config.publicUrl(), key, config.readLinkTtl(), clock);
    ServiceMetrics metrics = new ServiceMetrics(jobs, clock).withJvmMetrics();
    ReportWorker worker = config.worker() == null ? null
        : worker(config.worker(), jobs, clock, metrics, readLinks);
    server[0] = ApiServer.builder()
        .onJobCreated(worker == null ? () -> { } : worker::wake)
        .listen(config.bind(), config.port(), config.threads())
        .limits(config.limits())
        .tls(config.tls(), config.hstsMaxAge())
        .cors(config.corsOrigins())
        .metrics(metrics, config.metricsPublic())
        .tokens(config.tokens())
        .schedules(new JdbcScheduleStore(config.jobStore(), clock),
            (name, fields, recipients, kept) -> {
              ReportSchedule s = StoredSchedules.schedule(name, fields, recipients, Keys.WORKER_POLL_INTERVAL::parse);
              config.access().scheduleTargets().require(s.notifyTargets().stream().filter(t -> !kept.contains(t))
                  .toList());
            })
        .access(config.access().maxAuthFailures(), config.access().authFailureWindow(),
            config.access().trustedProxies())
        .quotas(config.access().pendingPerToken(), config.access().pendingTotal(), java.time.Duration.ofSeconds(30))
        .emailRecipients(config.access().emailRecipients())
        .accessLog(config.accessLog(), config.slowRequest())
        .jobs(new ReportJobLifecycle(jobs), links)
        .readLinks(readLinks)
        .aggregates(progressStore(config.store(), config.sparkConf()), storeQueries(config.store(), config.sparkConf()),
            config.maxCommitAge())
        .page(new ApiServer.PageSettings(config.pollInterval(), config.pollMax(), config.defaultDays()))
        .clock(clock)
        .build();
    return new ReportService(server[0], worker);
  }

  private static byte[] randomKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return key;
  }

  public static BackfillJob backfill(BackfillConfig config, SparkSession spark, Clock clock) {
    if (config.store().mysql()) {
      prepareAggregates(config.store().db(), config.migrateOnStart());
    }
    Stores stores = stores(config.store(), spark);
    return BackfillJob.builder()
        .spark(spark)
        .store(stores.aggregates(), stores.progress())
        .input(new RawFileSource(config.inputDir()), config.format())
        .pipelines(config.pipelines())
        .range(config.from(), config.to())
        .chunk(config.chunk())
        .force(config.force())
        .allowFewerRecords(config.allowFewerRecords())
        .rules(config.rules())
        .clock(clock)
        .build();
  }
}
