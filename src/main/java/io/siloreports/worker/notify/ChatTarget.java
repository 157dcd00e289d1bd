package io.siloreports.worker.notify;

/** The chat services a notification target can name: {@code slack:<incoming webhook URL>}, {@code teams:<URL>}. */
enum ChatTarget {
  SLACK("slack:", "Slack"),
  TEAMS("teams:", "Teams");

  final String prefix;
  final String shownName;

  ChatTarget(String prefix, String shownName) {
    this.prefix = prefix;
    this.shownName = shownName;
  }
}
