package io.siloreports.ingest;

import java.util.Set;

/**
 * The raw input a committed micro-batch of the stream had read, source by source, so a report reads only what the
 * stream has not committed yet: the files in the stream's committed file log, the Kafka end offsets of the committed
 * batch, the MySQL raw table's committed position.
 */
public sealed interface CommittedInput {

  /** Short description for the report's log line (no paths, offsets only as counts). */
  String describe();

  /** Files the stream's file source had logged up to the committed batch, as fully qualified URIs. */
  record Files(long batchId, Set<String> uris) implements CommittedInput {
    public Files {
      uris = Set.copyOf(uris);
    }

    @Override
    public String describe() {
      return uris.size() + " file(s) committed by batch " + batchId;
    }
  }

  /** Kafka end offsets of the committed batch, as Spark's offset log holds them ({"topic":{"0":12,...}}). */
  record KafkaOffsets(long batchId, String json) implements CommittedInput {
    @Override
    public String describe() {
      return "Kafka offsets committed by batch " + batchId + ": " + json;
    }
  }

  /** The raw table's committed position: ids up to it, but not its gaps. */
  record Table(long batchId, TablePosition position) implements CommittedInput {
    @Override
    public String describe() {
      return "table position committed by batch " + batchId + ": " + position.format();
    }
  }
}
