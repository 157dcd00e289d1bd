package io.siloreports;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering docs/architecture.md describes, as rules that fail when broken. Each rule says why it holds; a break
 * prints the offending class, its dependency and the line.
 */
class ArchitectureTest {
  private static final String ROOT = "io.siloreports";

  /** Where Spark and its Scala runtime live; the launcher is a small library of its own (see below). */
  private static final String[] SPARK = {"org.apache.spark..", "scala.."};

  /** File, network and database access, Hadoop and cloud clients: what a pure transformation never touches. */
  private static final String[] IO = {"java.nio.file..", "java.net..", "javax.sql..", "org.apache.hadoop..",
      "software.amazon..", "com.amazonaws..", "org.apache.kafka..", ROOT + ".db..", ROOT + ".store..",
      ROOT + ".jobstore..", ROOT + ".config.."};

  private static final Set<String> IO_CLASSES = Set.of("java.io.File", "java.io.FileInputStream",
      "java.io.FileOutputStream", "java.io.RandomAccessFile", "java.sql.Connection", "java.sql.DriverManager",
      "java.sql.Statement", "java.sql.PreparedStatement", "java.sql.ResultSet",
      "org.apache.spark.sql.DataFrameReader", "org.apache.spark.sql.DataFrameWriter",
      "org.apache.spark.sql.streaming.DataStreamReader", "org.apache.spark.sql.streaming.DataStreamWriter");

  /** The report job store's transitions: only the life cycle decides them. */
  private static final Set<String> TRANSITIONS = Set.of("create", "createScheduled", "markSubmitted", "requeue",
      "markProcessing", "handBack", "markCompleted", "markFailed", "markExpired");

  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(ROOT);
  }

  @Test
  void noCyclesBetweenPackages() {
    slices().matching(ROOT + ".(**)").should().beFreeOfCycles()
        .because("a package that needs another's classes and is needed by it is one idea in two rooms")
        .check(main);
  }

  @Test
  void theServiceTheWorkerAndWhatTheyShareNeverLoadSpark() {
    noClasses().that().resideInAnyPackage(ROOT + ".api..", ROOT + ".worker..", ROOT + ".reportjob..",
            ROOT + ".output..", ROOT + ".jobstore..", ROOT + ".metrics..")
        .should().dependOnClassesThat(resideInAnyPackage(SPARK).and(not(resideInAPackage("org.apache.spark.launcher"))))
        .orShould().dependOnClassesThat().resideInAnyPackage(ROOT + ".report..", ROOT + ".stream..",
            ROOT + ".backfill..", ROOT + ".spark..", ROOT + ".aggregate..", ROOT + ".ingest..")
        .because("the service answers in milliseconds and runs each report in a process of its own; Spark's launcher"
            + " (a stand-alone library that starts that process) is the one exception")
        .check(main);
  }

  @Test
  void pureTransformationsDoNoIo() {
    noClasses().that().resideInAnyPackage(ROOT + ".model..", ROOT + ".aggregate..", ROOT + ".report.statistics..")
        .should().dependOnClassesThat().resideInAnyPackage(IO)
        .orShould().dependOnClassesThat(nameIn(IO_CLASSES))
        .because("pure transformations are unit-tested on tiny in-memory data; sources and sinks live apart")
        .check(main);
  }

  @Test
  void theModelIsSparkFree() {
    noClasses().that().resideInAPackage(ROOT + ".model..").should().dependOnClassesThat().resideInAnyPackage(SPARK)
        .because("the service reads the model (pipelines, progress) without Spark on its classpath")
        .check(main);
  }

  @Test
  void storesNeverImportJobsOrTheService() {
    noClasses().that().resideInAnyPackage(ROOT + ".store..", ROOT + ".jobstore..", ROOT + ".ingest..",
            ROOT + ".aggregate..")
        .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".stream..", ROOT + ".report..",
            ROOT + ".backfill..", ROOT + ".api..", ROOT + ".worker..", ROOT + ".reportjob..", ROOT + ".output..",
            ROOT + ".cli..")
        .because("sources, stores and aggregations are shared by every job; a job is built on them, never inside")
        .check(main);
  }

  @Test
  void recordFormatsAndAggregationsKnowNoPipeline() {
    noClasses().that().resideInAnyPackage(ROOT + ".ingest..", ROOT + ".aggregate..", ROOT + ".model..")
        .should().dependOnClassesThat().resideInAPackage(ROOT + ".pipeline..")
        .because("pipeline.PipelineDescriptor binds a pipeline to its format and aggregation; they stay reusable")
        .check(main);
  }

  @Test
  void theSparkJobsAreIndependentOfEachOther() {
    for (String job : new String[] {"stream", "report", "backfill"}) {
      noClasses().that().resideInAPackage(ROOT + "." + job + "..")
          .should().dependOnClassesThat(resideInAnyPackage(ROOT + ".stream..", ROOT + ".report..",
              ROOT + ".backfill..").and(not(resideInAPackage(ROOT + "." + job + ".."))))
          .orShould().dependOnClassesThat().resideInAnyPackage(ROOT + ".api..", ROOT + ".worker..")
          .because("each job shares the stores and transformations, not another job's code")
          .check(main);
    }
  }

  @Test
  void onlyTheCompositionRootWiresJobs() {
    noClasses().that().resideOutsideOfPackage(ROOT + ".cli..")
        .should().dependOnClassesThat().resideInAPackage(ROOT + ".cli..")
        .because("cli.Wiring is the one place jobs are built from their configs")
        .check(main);
  }

  @Test
  void onlyTheLifeCycleMovesAReportJob() {
    ArchRule rule = noClasses().that().resideOutsideOfPackages(ROOT + ".reportjob", ROOT + ".jobstore")
        .should().callMethodWhere(new DescribedPredicate<>("a transition of ReportJobStore") {
          @Override
          public boolean test(JavaMethodCall call) {
            return call.getTargetOwner().isAssignableTo(ROOT + ".jobstore.ReportJobStore")
                && TRANSITIONS.contains(call.getName());
          }
        })
        .because("every transition of a report job goes through reportjob.ReportJobLifecycle, with its reason and log");
    rule.check(main);
  }

  @Test
  void configurationIsReadAtTheEdge() {
    noClasses().that().resideOutsideOfPackages(ROOT + ".cli..", ROOT + ".config..")
        .should().callMethod(System.class, "getenv", String.class)
        .orShould().callMethod(System.class, "getenv")
        .because("one typed configuration per job is built once from file, flags and environment (cli, config)")
        .check(main);
  }

  @Test
  void noMainFileOver400LinesAndOneOver300SaysWhy() throws IOException {
    List<String> problems = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        List<String> lines = Files.readAllLines(f);
        int start = lines.indexOf(lines.stream().filter(l -> l.startsWith("/**")).findFirst().orElse(""));
        int end = start < 0 ? -1 : start + lines.subList(start, lines.size()).indexOf(
            lines.subList(start, lines.size()).stream().filter(l -> l.contains("*/")).findFirst().orElse(""));
        String classComment = start < 0 || end < start ? "" : String.join(" ", lines.subList(start, end + 1)
            .stream().map(l -> l.replaceFirst("^\\s*/?\\*+/?\\s?", "")).toList());
        if (lines.size() > 400) {
          problems.add(f + ": " + lines.size() + " lines (at most 400)");
        } else if (lines.size() > 300 && !classComment.contains("Longer than most")) {
          problems.add(f + ": " + lines.size() + " lines and its class comment does not say why (\"Longer than most"
              + " files: ...\")");
        }
      }
    }
    assertEquals(List.of(), problems,
        "a long file is usually two ideas: split it, or say in its summary why it is one");
  }

  private static DescribedPredicate<JavaClass> nameIn(Set<String> names) {
    return new DescribedPredicate<>("one of " + names) {
      @Override
      public boolean test(JavaClass c) {
        return names.contains(c.getName());
      }
    };
  }
}
