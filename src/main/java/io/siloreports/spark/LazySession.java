package io.siloreports.spark;

import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job's SparkSession, started the first time something needs it. A report whose every part can be read without
 * Spark (finalized hours streamed from MySQL, a small Parquet store, raw files read directly) then never starts one:
 * seconds less and several hundred MB less memory.
 */
public final class LazySession implements Supplier<SparkSession> {
  private static final Logger LOG = LoggerFactory.getLogger(LazySession.class);
  private final SessionSource sessions;
  private final String appName;
  private final Map<String, String> sparkConf;
  private SparkSession session;

  public LazySession(SessionSource sessions, String appName, Map<String, String> sparkConf) {
    this.sessions = sessions;
    this.appName = appName;
    this.sparkConf = Map.copyOf(sparkConf);
  }

  @Override
  public synchronized SparkSession get() {
    if (session == null) {
      LOG.info("{}: a part needs Spark; starting a SparkSession", appName);
      session = sessions.session(appName, sparkConf);
    }
    return session;
  }

  /** Whether the session was started. */
  public synchronized boolean started() {
    return session != null;
  }
}
