package io.siloreports.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The IAM documents of deploy/emr/iam: well-formed policies (the grammar of the IAM User Guide's "IAM JSON policy
 * element reference": Version 2012-10-17, Statement, Sid of letters and digits, Effect, Action "service:Action",
 * Resource, Principal for trust policies, condition operators of the reference), no wildcard grant (no "*" and no
 * "s3:*"-style action; Resource "*" only for the actions that have no resource type in the Service Authorization
 * Reference), within IAM's size limits once rendered, and granting what is needed, derived rather than listed:
 * <ul>
 *   <li>every AWS SDK call of the code (read from the compiled classes with ArchUnit), followed back through its
 *       callers to the report/stream/backfill jobs (which run with the cluster's instance profile) or to the service
 *       and its worker (which run with iam/report-service-policy.json): each side's policy grants the call's action;
 *   <li>the S3 locations of conf/emr.properties (raw input, checkpoints, reports), read and written by the jobs
 *       through EMRFS/S3A: the instance profile's policy grants them on exactly those prefixes;
 *   <li>the two Kafka topics of conf/emr.properties: MSK IAM's read actions on those topics;
 *   <li>the lifecycle rule expires exactly the report prefix of conf/emr.properties.
 * </ul>
 * What the scripts call is held against iam/setup-policy.json and iam/operator-policy.json by DeployScriptsTest,
 * from the calls the AWS CLI accepted while the README ran.
 */
class DeployIamPoliciesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Path IAM = Path.of("deploy/emr/iam");
  static final Path SERVERLESS_WORKER_POLICY = Path.of("deploy/emr-serverless/iam/worker-policy.json");
  private static final Pattern ACTION = Pattern.compile("[a-z0-9-]+:[A-Za-z0-9]+");
  private static final Pattern SID = Pattern.compile("[A-Za-z0-9]+");
  // Condition operators of the IAM JSON policy element reference (set operators and IfExists as prefixes/suffixes).
  private static final Set<String> OPERATORS = Set.of("StringEquals", "StringNotEquals", "StringEqualsIgnoreCase",
      "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike", "NumericEquals", "NumericNotEquals", "NumericLessThan",
      "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals", "DateNotEquals",
      "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals", "Bool", "BinaryEquals",
      "IpAddress", "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null");
  // Actions with no resource type in the Service Authorization Reference: a statement must name Resource "*".
  private static final Set<String> NO_RESOURCE_TYPE = Set.of("elasticmapreduce:RunJobFlow", "ec2:DescribeSubnets",
      "ec2:DescribeSecurityGroups");
  /** Sample values of the placeholders (the README's example account and names). */
  static final Map<String, String> SAMPLE = Map.of("ACCOUNT", "111122223333", "REGION", "eu-west-1",
      "BUCKET", "example-silo-reports", "SECRET_NAME", "silo-reports/rds", "MSK_CLUSTER", "silo-reports",
      "KMS_KEY_ID", "1234abcd-12ab-34cd-56ef-1234567890ab", "CLUSTER_ID", "j-ABCDEFGHIJKLM",
      "TOPIC", "silo-reports-finished");

  private static JavaClasses classes;

  @BeforeAll
  static void importTheCode() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.siloreports");
  }

  static List<Path> documents() throws IOException {
    try (Stream<Path> files = Files.list(IAM)) {
      return files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
  }

  /** The document rendered by deploy/emr/iam/render.py, the code create-roles.sh and the README use. */
  static JsonNode rendered(Path document, Map<String, String> values) throws Exception {
    List<String> command = new ArrayList<>(List.of("python3", IAM.resolve("render.py").toString(), document.toString()));
    values.forEach((k, v) -> command.add(k + "=" + v));
    Process p = new ProcessBuilder(command).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), "render.py " + document + ": " + err);
    return JSON.readTree(out);
  }

  static List<String> strings(JsonNode node) {
    List<String> out = new ArrayList<>();
    if (node == null) {
      return out;
    }
    if (node.isArray()) {
      node.forEach(n -> out.add(n.asText()));
    } else {
      out.add(node.asText());
    }
    return out;
  }

  /** The actions a document allows (it has no wildcard actions: see below, so this is exact). */
  static Set<String> allowed(JsonNode policy) {
    Set<String> out = new TreeSet<>();
    policy.get("Statement").forEach(s -> {
      if (s.path("Effect").asText().equals("Allow")) {
        out.addAll(strings(s.get("Action")));
      }
    });
    return out;
  }

  @Test
  void everyDocumentIsAPolicyWithoutWildcardGrantsAndFitsIamsLimits() throws Exception {
    List<Path> docs = documents();
    assertTrue(docs.size() >= 7, docs.toString());
    for (Path doc : docs) {
      JsonNode policy = JSON.readTree(doc.toFile());
      String name = doc.getFileName().toString();
      assertEquals("2012-10-17", policy.path("Version").asText(), name + ": Version");
      assertTrue(policy.path("Statement").isArray() && policy.get("Statement").size() > 0, name + ": Statement");
      boolean trust = name.contains("trust");
      Set<String> sids = new HashSet<>();
      for (JsonNode s : policy.get("Statement")) {
        String sid = s.path("Sid").asText();
        assertTrue(SID.matcher(sid).matches() && sids.add(sid), name + ": Sid " + sid + " (letters and digits, unique)");
        assertTrue(Set.of("Allow", "Deny").contains(s.path("Effect").asText()), name + " " + sid + ": Effect");
        List<String> actions = strings(s.get("Action"));
        assertFalse(actions.isEmpty(), name + " " + sid + ": Action");
        for (String a : actions) {
          assertTrue(ACTION.matcher(a).matches(), name + " " + sid + ": action " + a + " is not service:Action"
              + " (no \"*\", no \"s3:*\", no \"s3:Get*\")");
        }
        s.fieldNames().forEachRemaining(f -> assertTrue(
            Set.of("Sid", "Effect", "Action", "Resource", "Principal", "Condition").contains(f), name + ": " + f));
        if (trust) {
          assertTrue(s.has("Principal") && !s.has("Resource"), name + " " + sid + ": a trust policy names a Principal");
          assertEquals(List.of("sts:AssumeRole"), actions, name);
        } else {
          assertFalse(s.has("Principal"), name + " " + sid + ": an identity policy names no Principal");
          List<String> resources = strings(s.get("Resource"));
          assertFalse(resources.isEmpty(), name + " " + sid + ": Resource");
          if (resources.contains("*")) {
            assertTrue(NO_RESOURCE_TYPE.containsAll(actions),
                name + " " + sid + ": Resource \"*\" only for actions without a resource type, not " + actions);
          }
        }
        s.path("Condition").fieldNames().forEachRemaining(op -> assertTrue(
            OPERATORS.contains(op.replaceFirst("^(ForAllValues|ForAnyValue):", "").replaceFirst("IfExists$", "")),
            name + " " + sid + ": condition operator " + op));
      }
      // Rendered: no placeholder left; IAM's limits: 6,144 characters for a managed policy (operator, report
      // service: create-policy), 10,240 for a role's inline policies, 2,048 for a trust policy (no whitespace).
      String compact = rendered(doc, SAMPLE).toString();
      assertFalse(compact.contains("{{"), name + ": " + compact);
      int limit = trust ? 2048 : name.startsWith("operator") || name.startsWith("report-service") ? 6144 : 10240;
      assertTrue(compact.length() <= limit, name + ": " + compact.length() + " characters, IAM allows " + limit);
    }
  }

  @Test
  void theRendererRefusesWhatAwsWouldAndDropsTheKmsGrantWithoutACustomerManagedKey() throws Exception {
    Path instance = IAM.resolve("instance-profile-policy.json");
    Map<String, String> noKms = new LinkedHashMap<>(SAMPLE);
    noKms.put("KMS_KEY_ID", "");
    assertTrue(allowed(rendered(instance, SAMPLE)).contains("kms:Decrypt"));
    assertFalse(allowed(rendered(instance, noKms)).contains("kms:Decrypt"), "no CMK: no kms grant");
    for (String[] bad : new String[][] {{"ACCOUNT", "12345"}, {"BUCKET", "Bad_Bucket"}, {"REGION", "mars"}}) {
      Map<String, String> values = new LinkedHashMap<>(SAMPLE);
      values.put(bad[0], bad[1]);
      List<String> command = new ArrayList<>(List.of("python3", IAM.resolve("render.py").toString(), instance.toString()));
      values.forEach((k, v) -> command.add(k + "=" + v));
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
      assertEquals(2, p.exitValue(), out);
      assertTrue(out.contains(bad[0]), "the error names the value: " + out);
    }
    Map<String, String> missing = new LinkedHashMap<>(SAMPLE);
    missing.remove("MSK_CLUSTER");
    Process p = new ProcessBuilder(List.of("python3", IAM.resolve("render.py").toString(), instance.toString(),
        "ACCOUNT=111122223333", "REGION=eu-west-1", "BUCKET=b-1", "SECRET_NAME=s")).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(2, p.exitValue(), out);
    assertTrue(out.contains("no value for MSK_CLUSTER"), out);
  }

  enum Side { JOB, SERVICE }

  /** IAM actions of an AWS SDK v2 call, per the Service Authorization Reference (S3's operations differ). */
  static List<String> iamActions(String clientPackage, String method) {
    String op = method.replaceFirst("Paginator$", "");
    if (clientPackage.equals("s3")) {
      return switch (op) {
        case "putObject", "createMultipartUpload", "uploadPart", "completeMultipartUpload", "presignPutObject" ->
            List.of("s3:PutObject");
        case "getObject", "getObjectAsBytes", "headObject", "presignGetObject" -> List.of("s3:GetObject");
        case "deleteObject", "deleteObjects" -> List.of("s3:DeleteObject");
        case "listObjects", "listObjectsV2", "headBucket" -> List.of("s3:ListBucket");
        case "copyObject" -> List.of("s3:GetObject", "s3:PutObject");
        case "abortMultipartUpload" -> List.of("s3:AbortMultipartUpload");
        default -> {
          fail("the code calls S3's " + method + ": add its IAM action here and to the policies");
          yield List.of();
        }
      };
    }
    String prefix = switch (clientPackage) {
      case "secretsmanager", "sns", "sts", "kms" -> clientPackage;
      case "emr" -> "elasticmapreduce";
      case "emrserverless" -> "emr-serverless";
      case "sesv2" -> "ses"; // SES API v2 keeps the ses: prefix
      default -> {
        fail("the code calls the AWS service " + clientPackage + ": name its IAM prefix here and grant it");
        yield "";
      }
    };
    return List.of(prefix + ":" + Character.toUpperCase(op.charAt(0)) + op.substring(1));
  }

  private static final Set<String> NOT_OPERATIONS = Set.of("close", "serviceName", "serviceClientConfiguration",
      "builder", "create", "utilities", "waiter");

  /** Where a code unit runs: followed back through its callers (and the interface methods it implements). */
  static Set<Side> sides(JavaCodeUnit origin) {
    Set<Side> out = EnumSet.noneOf(Side.class);
    Deque<JavaCodeUnit> todo = new ArrayDeque<>(List.of(origin));
    Set<String> seen = new HashSet<>();
    while (!todo.isEmpty()) {
      JavaCodeUnit unit = todo.pop();
      if (!seen.add(unit.getFullName())) {
        continue;
      }
      String pkg = unit.getOwner().getPackageName();
      if (pkg.matches("io\\.siloreports\\.(report|stream|backfill)(\\..*)?")) {
        out.add(Side.JOB);
        continue;
      }
      if (pkg.matches("io\\.siloreports\\.(api|worker)(\\..*)?")) {
        out.add(Side.SERVICE);
        continue;
      }
      if (pkg.equals("io.siloreports.cli")) { // every command starts here: both sides
        out.addAll(EnumSet.allOf(Side.class));
        continue;
      }
      List<JavaCodeUnit> units = new ArrayList<>(List.of(unit));
      if (unit instanceof JavaMethod m) {
        String[] params = m.getRawParameterTypes().stream().map(JavaClass::getName).toArray(String[]::new);
        List<JavaClass> supers = new ArrayList<>(m.getOwner().getAllRawInterfaces());
        supers.addAll(m.getOwner().getAllRawSuperclasses());
        for (JavaClass s : supers) {
          s.tryGetMethod(m.getName(), params).ifPresent(units::add);
        }
        Matcher lambda = Pattern.compile("lambda\\$(.+)\\$\\d+").matcher(m.getName());
        if (lambda.matches()) { // a lambda's body runs where its declaring method runs
          m.getOwner().getMethods().stream().filter(d -> d.getName().equals(lambda.group(1))).forEach(units::add);
        }
      }
      for (JavaCodeUnit u : units) {
        for (com.tngtech.archunit.core.domain.JavaAccess<?> access : u.getAccessesToSelf()) {
          todo.push(access.getOrigin());
        }
        if (u != unit) {
          todo.push(u);
        }
      }
    }
    return out.isEmpty() ? EnumSet.allOf(Side.class) : out; // unreached: demand it of both, to be safe
  }

  @Test
  void everyAwsCallOfTheCodeIsAllowedOnTheSideItRunsOn() throws Exception {
    Map<String, Set<Side>> needed = new TreeMap<>();
    Map<String, Set<String>> where = new TreeMap<>();
    for (JavaClass c : classes) {
      for (JavaMethodCall call : c.getMethodCallsFromSelf()) {
        String owner = call.getTargetOwner().getName();
        Matcher m = Pattern.compile("software\\.amazon\\.awssdk\\.services\\.([a-z0-9]+)\\.(?:presigner\\.)?[A-Za-z0-9]+"
            + "(Client|Presigner)").matcher(owner);
        if (!m.matches() || NOT_OPERATIONS.contains(call.getName())) {
          continue;
        }
        Set<Side> sides = sides(call.getOrigin());
        for (String action : iamActions(m.group(1), call.getName())) {
          needed.computeIfAbsent(action, k -> EnumSet.noneOf(Side.class)).addAll(sides);
          where.computeIfAbsent(action, k -> new TreeSet<>()).add(call.getOrigin().getFullName());
        }
      }
    }
    // What the code calls today (a new call shows up here and must be granted below).
    assertTrue(needed.keySet().containsAll(Set.of("s3:PutObject", "s3:GetObject", "s3:DeleteObject",
        "secretsmanager:GetSecretValue", "elasticmapreduce:AddJobFlowSteps", "elasticmapreduce:DescribeStep",
        "sns:Publish")), needed.toString());
    assertEquals(EnumSet.of(Side.SERVICE), needed.get("elasticmapreduce:AddJobFlowSteps"), "the worker submits");
    assertTrue(needed.get("s3:PutObject").contains(Side.JOB), "the report job uploads");
    Set<String> job = allowed(rendered(IAM.resolve("instance-profile-policy.json"), SAMPLE));
    Set<String> service = new TreeSet<>(allowed(rendered(IAM.resolve("report-service-policy.json"), SAMPLE)));
    // A service whose worker runs reports on EMR Serverless holds that worker's policy beside it.
    Set<String> serverless = allowed(JSON.readTree(Files.readString(SERVERLESS_WORKER_POLICY)));
    service.addAll(serverless);
    List<String> missing = new ArrayList<>();
    needed.forEach((action, sides) -> {
      if (sides.contains(Side.JOB) && !job.contains(action)) {
        missing.add("instance-profile-policy.json lacks " + action + " (called by " + where.get(action) + ")");
      }
      if (sides.contains(Side.SERVICE) && !service.contains(action)) {
        missing.add("report-service-policy.json lacks " + action + " (called by " + where.get(action) + ")");
      }
    });
    assertTrue(missing.isEmpty(), String.join("\n", missing));
    // The submitter's cancel of a step (a job that timed out) is granted too; the EMR Serverless calls come from its
    // own policy, which grants nothing else but passing its job role.
    assertTrue(service.contains("elasticmapreduce:CancelSteps"), service.toString());
    assertEquals(Set.of("emr-serverless:StartJobRun", "emr-serverless:GetJobRun", "emr-serverless:CancelJobRun",
        "iam:PassRole"), serverless);
  }

  /** IAM's wildcard match of an ARN or a key pattern: * any run, ? one character. */
  static boolean covers(String pattern, String value) {
    StringBuilder re = new StringBuilder();
    for (char ch : pattern.toCharArray()) {
      re.append(ch == '*' ? ".*" : ch == '?' ? "." : Pattern.quote(String.valueOf(ch)));
    }
    return value.matches(re.toString());
  }

  /** Whether an Allow statement grants the action on the resource (and, for ListBucket, the s3:prefix). */
  static boolean grants(JsonNode policy, String action, String resource, String listPrefix) {
    for (JsonNode s : policy.get("Statement")) {
      if (!s.path("Effect").asText().equals("Allow") || !strings(s.get("Action")).contains(action)
          || strings(s.get("Resource")).stream().noneMatch(r -> covers(r, resource))) {
        continue;
      }
      if (listPrefix == null) {
        return true;
      }
      List<String> prefixes = strings(s.path("Condition").path("StringLike").get("s3:prefix"));
      if (prefixes.stream().anyMatch(p -> covers(p, listPrefix))) {
        return true;
      }
    }
    return false;
  }

  static Properties emrProperties() throws IOException {
    Properties conf = new Properties();
    try (InputStream in = Files.newInputStream(Path.of("conf/emr.properties"))) {
      conf.load(in);
    }
    return conf;
  }

  /** bucket and key prefix (with a trailing slash) of an s3:// or s3a:// URL. */
  static String[] bucketAndPrefix(String url) {
    Matcher m = Pattern.compile("s3a?://([^/]+)/?(.*)").matcher(url);
    assertTrue(m.matches(), url);
    String prefix = m.group(2).isEmpty() || m.group(2).endsWith("/") ? m.group(2) : m.group(2) + "/";
    return new String[] {m.group(1), prefix};
  }

  @Test
  void theJobsReachExactlyTheS3LocationsAndTopicsOfTheirConfiguration() throws Exception {
    Properties conf = emrProperties();
    String bucket = bucketAndPrefix(conf.getProperty("report.output-dir"))[0];
    Map<String, String> values = new LinkedHashMap<>(SAMPLE);
    values.put("BUCKET", bucket);
    JsonNode instance = rendered(IAM.resolve("instance-profile-policy.json"), values);
    String reports = bucketAndPrefix(conf.getProperty("report.output-dir"))[1];
    String checkpoints = bucketAndPrefix(conf.getProperty("checkpoint.dir"))[1];
    String raw = bucketAndPrefix(conf.getProperty("input.dir"))[1];
    for (String key : List.of("checkpoint.dir", "input.dir")) {
      assertEquals(bucket, bucketAndPrefix(conf.getProperty(key))[0], key + " is in the report bucket");
    }
    String arn = "arn:aws:s3:::" + bucket + "/";
    for (String prefix : List.of(reports, checkpoints)) {
      for (String action : List.of("s3:GetObject", "s3:PutObject", "s3:DeleteObject")) {
        assertTrue(grants(instance, action, arn + prefix + "x/part-0", null), action + " on " + prefix);
      }
      assertTrue(grants(instance, "s3:ListBucket", "arn:aws:s3:::" + bucket, prefix + "x/"), "list " + prefix);
    }
    assertTrue(grants(instance, "s3:GetObject", arn + raw + "silo-readings/a.jsonl", null), "read " + raw);
    assertTrue(grants(instance, "s3:ListBucket", "arn:aws:s3:::" + bucket, raw + "silo-readings/"), "list " + raw);
    assertFalse(grants(instance, "s3:PutObject", arn + raw + "a.jsonl", null), "the raw input is read only");
    assertFalse(grants(instance, "s3:GetObject", arn + "elsewhere/secret.txt", null), "nothing beyond the prefixes");
    assertFalse(grants(instance, "s3:GetObject", "arn:aws:s3:::another-bucket/" + reports + "x", null), "one bucket");
    // The artifacts add-steps.sh uploads (ARTIFACTS=s3://<bucket>/silo-reports) are read by spark-submit.
    assertTrue(grants(instance, "s3:GetObject", arn + "silo-reports/silo-reports-shaded.jar", null));
    // The database secret named in the configuration (Secrets Manager ARNs end in -<6 random characters>).
    values.put("SECRET_NAME", conf.getProperty("db.password-secret-id"));
    instance = rendered(IAM.resolve("instance-profile-policy.json"), values);
    assertTrue(grants(instance, "secretsmanager:GetSecretValue", "arn:aws:secretsmanager:eu-west-1:111122223333:secret:"
        + conf.getProperty("db.password-secret-id") + "-AbCdEf", null));
    // MSK IAM: read the configuration's topics, nothing else.
    for (String key : List.of("source.kafka.topic.silo-readings", "source.kafka.topic.activity-events")) {
      String topic = "arn:aws:kafka:eu-west-1:111122223333:topic/silo-reports/0a1b2c3d-uuid/" + conf.getProperty(key);
      assertTrue(grants(instance, "kafka-cluster:ReadData", topic, null), key);
      assertTrue(grants(instance, "kafka-cluster:DescribeTopic", topic, null), key);
    }
    assertFalse(grants(instance, "kafka-cluster:ReadData",
        "arn:aws:kafka:eu-west-1:111122223333:topic/silo-reports/0a1b2c3d-uuid/payroll", null), "other topics");
    // The bucket's lifecycle rule expires the reports, and nothing else of the bucket.
    JsonNode rule = JSON.readTree(Path.of("deploy/emr/s3-lifecycle.json").toFile()).get("Rules").get(0);
    assertEquals(reports + "reports/", rule.path("Filter").path("Prefix").asText(),
        "the rule's prefix is where S3ReportOutput puts reports under report.output-dir");
  }
}
