package io.siloreports.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The declarations are the one source of the settings' defaults and docs. */
class KeysTest {
  static final String BEGIN = "<!-- settings table: generated from io.siloreports.config.Keys, checked by KeysTest -->";
  static final String END = "<!-- end of settings table -->";

  @Test
  void theDocsTableIsTheDeclarations() throws Exception {
    String doc = Files.readString(Path.of("docs/configuration.md"));
    int b = doc.indexOf(BEGIN);
    int e = doc.indexOf(END);
    assertTrue(b >= 0 && e > b, "docs/configuration.md has the generated settings table between its markers");
    String table = doc.substring(b + BEGIN.length(), e).strip() + "\n";
    assertEquals(Keys.markdownTable(), table,
        "docs/configuration.md differs from the declarations in Keys: replace its table with the output of"
            + " `jobs/silo-reports help settings-table`");
  }

  @Test
  void everyKeyInTheShippedConfigFilesIsKnown() throws Exception {
    try (var files = Files.list(Path.of("conf"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".properties") && !p.getFileName().toString().startsWith("log4j")).toList()) {
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(f)) {
          p.load(r);
        }
        for (String k : p.stringPropertyNames()) {
          assertTrue(Keys.isKnown(k), f + ": " + k + " is not a declared setting");
        }
      }
    }
  }

  @Test
  void keysAndEnvironmentNamesAreUnique() {
    Set<String> env = new HashSet<>();
    for (Setting<?> s : Keys.all()) {
      assertTrue(env.add(s.envName()), "two settings map to " + s.envName());
      assertTrue(!s.doc().isBlank(), s.key() + " has a doc line");
    }
    assertTrue(Keys.isSecret("db.password") && Keys.isSecret("kafka.sasl.jaas.config") && !Keys.isSecret("db.url"));
  }

  @Test
  void everySettingConstantIsInAGroupThatKeysLists() throws Exception {
    // A group left out of Keys' list would leave its settings out of the docs, --help and the defaults layer.
    Set<Setting<?>> listed = new HashSet<>(Keys.all());
    int constants = 0;
    for (Field f : Keys.class.getFields()) { // with the constants inherited from the declaring interfaces
      if (f.get(null) instanceof Setting<?> s) {
        assertTrue(listed.contains(s), "Keys." + f.getName() + " (" + s.key() + ") is in no group that Keys lists");
        constants++;
      }
    }
    assertEquals(Keys.all().size(), constants, "every listed setting is a constant of Keys");
  }
}
