package io.siloreports.api;

import io.siloreports.testing.Profiles;
import io.siloreports.testing.servers.EmbeddedMySql;
import io.siloreports.testing.servers.SharedTestServers;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.io.TempDir;

/** {@link ScheduleApiContract} with the job store on MariaDB (the shared embedded server, a database of its own). */
class ScheduleApiMySqlIT extends ScheduleApiContract {
  @TempDir static Path dir;

  @Override
  Map<String, String> settings() throws Exception {
    EmbeddedMySql mysql = SharedTestServers.mySql();
    String database = "schedapi_" + UUID.randomUUID().toString().substring(0, 8);
    mysql.execute("CREATE DATABASE " + database, "GRANT ALL ON " + database + ".* TO '" + mysql.appUser() + "'@'%'");
    Map<String, String> m = Profiles.embedded(dir);
    m.put("jobstore.url", mysql.jdbcUrl(database));
    m.put("jobstore.user", mysql.appUser());
    m.put("jobstore.password", mysql.appPassword());
    return m;
  }
}
