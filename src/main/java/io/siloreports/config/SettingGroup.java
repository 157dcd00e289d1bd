package io.siloreports.config;

import io.siloreports.config.Setting.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A group of settings as it is declared, a heading of the docs' table: each declaration method makes a setting of its
 * type and adds it to the group, so the group lists its settings in the order their declarations run, which is their
 * textual order in the declaring interface. {@link Keys} takes the finished groups, in its own fixed order.
 */
final class SettingGroup {
  private final String title;
  private final List<Setting<?>> settings = new ArrayList<>();

  SettingGroup(String title) {
    this.title = title;
  }

  /** The settings declared so far, as the docs' heading. */
  Keys.Group group() {
    return new Keys.Group(title, List.copyOf(settings));
  }

  Setting<String> text(String key, String def, String doc) {
    return declare(key, Kind.TEXT, def, doc, false);
  }

  Setting<String> secret(String key, String doc) {
    return declare(key, Kind.TEXT, null, doc, true);
  }

  Setting<String> choice(String key, String def, String doc, String... values) {
    return declare(key, Kind.oneOf(values), def, doc + " (" + String.join(" or ", values) + ")", false);
  }

  Setting<Integer> integer(String key, String def, String doc) {
    return declare(key, Kind.INT, def, doc, false);
  }

  Setting<Double> number(String key, String def, String doc) {
    return declare(key, Kind.NUMBER, def, doc, false);
  }

  Setting<Long> longValue(String key, String def, String doc) {
    return declare(key, Kind.LONG, def, doc, false);
  }

  Setting<Boolean> bool(String key, String def, String doc) {
    return declare(key, Kind.BOOLEAN, def, doc, false);
  }

  Setting<Duration> duration(String key, String def, String doc) {
    return declare(key, Kind.DURATION, def, doc, false);
  }

  /** A duration, or {@code off} (an empty value). */
  Setting<Optional<Duration>> durationOrOff(String key, String def, String doc) {
    return declare(key, Kind.DURATION_OR_OFF, def, doc, false);
  }

  Setting<Instant> instant(String key, String def, String doc) {
    return declare(key, Kind.INSTANT, def, doc, false);
  }

  private <T> Setting<T> declare(String key, Kind<T> kind, String def, String doc, boolean secret) {
    Setting<T> s = new Setting<>(key, kind, def, doc, secret);
    settings.add(s);
    return s;
  }
}
