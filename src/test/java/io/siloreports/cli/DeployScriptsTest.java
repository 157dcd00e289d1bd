package io.siloreports.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The EMR scripts and deploy/emr/README.md, with no AWS account: the README's commands run in order through
 * deploy/emr/check-cli-syntax.sh (the AWS CLI's own parser, a dead endpoint, the scripts run whole), and every call the
 * CLI accepted is allowed by the IAM policy its README section names (iam/setup-policy.json, iam/operator-policy.json),
 * mapped to IAM actions as the Service Authorization Reference names them; the scripts are bash 3.2-safe (a lint of
 * the constructs newer bash added, and shellcheck); the lifecycle merge keeps a bucket's other rules.
 *
 * <p>The CLI is the one on PATH (CLI v1 on the project's machines); in CI (CI=true) a missing CLI or shellcheck fails
 * the test instead of skipping it. SILO_REPORTS_BASH32=/path/to/bash-3.2 runs the README and the scripts under that
 * bash too (GNU bash 3.2.57 is what macOS ships; .ci/run cannot obtain one: see deploy/emr/README.md).
 */
class DeployScriptsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path EMR = Path.of("deploy/emr");
  private static final boolean CI = "true".equals(System.getenv("CI"));

  record Run(int exit, String output) {}

  private static Run run(List<String> command, Map<String, String> env, long minutes) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(minutes, TimeUnit.MINUTES), "finished: " + command);
    return new Run(p.exitValue(), out);
  }

  /** The tool's path, or: in CI a failure, elsewhere a skip saying what is missing. */
  private static String required(String tool) throws Exception {
    Run which = run(List.of("bash", "-c", "command -v " + tool), Map.of(), 1);
    if (which.exit() != 0) {
      if (CI) {
        fail(tool + " is not installed: CI must have it (.ci/run)");
      }
      Assumptions.assumeTrue(false, tool + " is not installed here; CI runs this");
    }
    return which.output().trim();
  }

  /** IAM actions of an AWS CLI call (service, operation as the CLI names them; s3 cp's direction; a waiter). */
  static List<String> iamActions(JsonNode call) {
    String service = call.path("service").asText();
    String op = call.path("operation").asText();
    String key = service + " " + op;
    switch (key) {
      case "sts get-caller-identity":
        return List.of(); // needs no permission
      case "s3 mb":
        return List.of("s3:CreateBucket");
      case "s3 cp":
        return List.of(call.path("direction").asText().equals("download") ? "s3:GetObject" : "s3:PutObject");
      case "s3api get-bucket-lifecycle-configuration":
        return List.of("s3:GetLifecycleConfiguration");
      case "s3api put-bucket-lifecycle-configuration":
        return List.of("s3:PutLifecycleConfiguration");
      case "emr create-cluster": // RunJobFlow with the roles passed and the tags given at creation
        return List.of("elasticmapreduce:RunJobFlow", "elasticmapreduce:AddTags", "iam:PassRole");
      case "emr add-steps": // the CLI asks DescribeCluster for the release first (awscli/customizations/emr/addsteps.py)
        return List.of("elasticmapreduce:DescribeCluster", "elasticmapreduce:AddJobFlowSteps");
      case "emr wait":
        return List.of(switch (call.path("waiter").asText()) {
          case "cluster-running" -> "elasticmapreduce:DescribeCluster";
          case "step-complete" -> "elasticmapreduce:DescribeStep";
          default -> throw new AssertionError("unknown waiter " + call);
        });
      case "ec2 create-security-group": // created with its tags: tag-on-create needs CreateTags
        return List.of("ec2:CreateSecurityGroup", "ec2:CreateTags");
      default:
        break;
    }
    String prefix = switch (service) {
      case "iam", "ec2", "secretsmanager", "sts" -> service;
      case "emr" -> "elasticmapreduce";
      case "s3api" -> "s3";
      default -> throw new AssertionError("no IAM mapping for " + key + ": add it here");
    };
    StringBuilder action = new StringBuilder(prefix + ":");
    for (String word : op.split("-")) {
      action.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
    }
    return List.of(action.toString());
  }

  @Test
  void theReadmeRunsThroughTheAwsCliAndEverySectionsCallsAreAllowedByThePolicyItNames() throws Exception {
    required("aws");
    Path log = Path.of("target/deploy-check/calls.jsonl");
    Files.createDirectories(log.getParent());
    List<String> command = new ArrayList<>(List.of("bash", EMR.resolve("check-cli-syntax.sh").toString()));
    String bash32 = System.getenv("SILO_REPORTS_BASH32");
    if (bash32 != null && !bash32.isBlank()) {
      command.addAll(List.of("--bash", required("bash"), "--bash", bash32));
    }
    Run check = run(command, Map.of("CHECK_LOG", log.toAbsolutePath().toString()), 20);
    assertEquals(0, check.exit(), check.output());
    assertTrue(check.output().contains("all commands accepted by the CLI"), check.output());

    List<JsonNode> calls = new ArrayList<>();
    for (String line : Files.readAllLines(log)) {
      calls.add(JSON.readTree(line));
    }
    assertTrue(calls.size() >= 40, "the README and its scripts make " + calls.size() + " calls");
    Map<String, Set<String>> missing = new TreeMap<>();
    Map<String, Set<String>> needed = new TreeMap<>();
    Set<String> steps = new TreeSet<>();
    for (JsonNode call : calls) {
      assertEquals("ok", call.path("status").asText(), call.toString());
      steps.add(call.path("step").asText());
      Matcher policy = Pattern.compile("`iam/([a-z-]+\\.json)`").matcher(call.path("section").asText());
      assertTrue(policy.find(), "the README section of " + call + " names the policy of whoever runs it");
      Set<String> allowed = DeployIamPoliciesTest.allowed(JSON.readTree(EMR.resolve("iam").resolve(policy.group(1)).toFile()));
      for (String action : iamActions(call)) {
        needed.computeIfAbsent(policy.group(1), k -> new TreeSet<>()).add(action);
        if (!allowed.contains(action)) {
          missing.computeIfAbsent(policy.group(1), k -> new TreeSet<>())
              .add(action + " (" + call.path("service").asText() + " " + call.path("operation").asText()
                  + " from `" + call.path("step").asText() + "`)");
        }
      }
    }
    assertTrue(missing.isEmpty(), "policies that do not allow what their section calls: " + missing);
    // And nothing more than the calls need, but for what a call needs without showing it to the CLI's parser.
    Map<String, Set<String>> beyond = Map.of(
        "operator-policy.json", Set.of(
            "elasticmapreduce:PutManagedScalingPolicy", // RunJobFlow carries the managed scaling policy
            "s3:AbortMultipartUpload"), // s3 cp uploads the jar in parts, and aborts them when it fails
        "setup-policy.json", Set.of());
    needed.forEach((policy, actions) -> {
      Set<String> extra = new TreeSet<>(DeployIamPoliciesTest.allowed(uncheckedRead(EMR.resolve("iam").resolve(policy))));
      extra.removeAll(actions);
      assertEquals(beyond.get(policy), extra, policy + " allows more than its section calls");
    });
    for (String script : List.of("create-roles.sh", "merge-lifecycle.sh", "create-cluster.sh", "add-steps.sh upload",
        "add-steps.sh report", "add-steps.sh stop-stream")) {
      assertTrue(steps.stream().anyMatch(s -> s.contains(script)), script + " ran and called AWS: " + steps);
    }
    Set<String> operations = new TreeSet<>();
    calls.forEach(c -> operations.add(c.path("service").asText() + " " + c.path("operation").asText()));
    assertTrue(operations.containsAll(Set.of("iam create-role", "iam attach-role-policy", "iam put-role-policy",
        "iam create-instance-profile", "iam add-role-to-instance-profile", "iam create-service-linked-role",
        "ec2 create-tags", "ec2 create-security-group", "emr create-cluster", "emr add-steps",
        "s3api get-bucket-lifecycle-configuration", "s3api put-bucket-lifecycle-configuration")), operations.toString());
  }

  /** Constructs newer than bash 3.2 (stock macOS), each with the version that added it. */
  private static final Map<String, String> NEWER_THAN_BASH_32 = Map.ofEntries(
      Map.entry("\\b(declare|local|typeset) -[a-zA-Z]*A", "associative arrays (bash 4.0)"),
      Map.entry("\\b(mapfile|readarray)\\b", "mapfile/readarray (bash 4.0)"),
      Map.entry("\\$\\{[A-Za-z_][A-Za-z0-9_]*(\\[[^]]*\\])?(,,?|\\^\\^?)\\}", "case modification ${x,,} ${x^^} (bash 4.0)"),
      Map.entry("\\[\\[ -v |\\btest -v ", "-v VAR (bash 4.2)"),
      Map.entry("\\b(declare|local|typeset) -[a-zA-Z]*n ", "namerefs (bash 4.3)"),
      Map.entry("&>>|\\|&", "&>> and |& (bash 4.0)"),
      Map.entry(";;&|;&", "case fall-through ;& ;;& (bash 4.0)"),
      Map.entry("\\bcoproc\\b", "coproc (bash 4.0)"),
      Map.entry("\\$\\{[A-Za-z_][A-Za-z0-9_]*\\[-[0-9]+\\]\\}", "negative array index (bash 4.3)"),
      Map.entry("printf '%\\(", "printf %(...)T (bash 4.2)"),
      Map.entry("\\bwait -n\\b", "wait -n (bash 4.3)"),
      Map.entry("EPOCHSECONDS|EPOCHREALTIME|BASH_ARGV0", "bash 5.0 variables"),
      Map.entry("shopt -s (globstar|lastpipe|inherit_errexit)", "shopt options of bash 4"),
      Map.entry("\\{[0-9]+\\.\\.[0-9]+\\.\\.[0-9]+\\}", "brace expansion with a step (bash 4.0)"));
  // "${a[@]}" or "${a[@]:n}" of an array that may be empty: unbound under set -u before bash 4.4 (the field report:
  // add-steps.sh without DB_SECRET_ID on macOS). Written ${a[@]+"${a[@]}"}; aws=(aws ...) of lib.sh is never empty.
  private static final Pattern ARRAY_EXPANSION = Pattern.compile("(\\$\\{(\\w+)\\[@\\]\\+)?\"\\$\\{(\\w+)\\[@\\][:}]");

  static List<String> bash32Problems(Path script) throws IOException {
    List<String> problems = new ArrayList<>();
    List<String> lines = Files.readAllLines(script);
    boolean heredoc = false;
    String end = null;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (heredoc) { // another language's text (python, sh) inside the script
        heredoc = !line.trim().equals(end);
        continue;
      }
      Matcher h = Pattern.compile("<<-?'?(\\w+)'?").matcher(line);
      if (h.find()) {
        heredoc = true;
        end = h.group(1);
      }
      String code = line.trim().startsWith("#") ? "" : line;
      String where = script + ":" + (i + 1) + ": ";
      NEWER_THAN_BASH_32.forEach((re, what) -> {
        if (Pattern.compile(re).matcher(code).find()) {
          problems.add(where + what + ": " + line.trim());
        }
      });
      Matcher a = ARRAY_EXPANSION.matcher(code);
      while (a.find()) {
        boolean guarded = a.group(1) != null && a.group(2).equals(a.group(3));
        if (!guarded && !a.group(3).equals("aws")) {
          problems.add(where + "\"${" + a.group(3) + "[@]}\" is unbound when empty under set -u before bash 4.4; "
              + "write ${" + a.group(3) + "[@]+\"${" + a.group(3) + "[@]}\"}: " + line.trim());
        }
      }
    }
    return problems;
  }

  private static List<Path> scripts() throws IOException {
    try (Stream<Path> files = Files.list(EMR)) {
      return files.filter(p -> p.toString().endsWith(".sh")).sorted().toList();
    }
  }

  @Test
  void theScriptsUseNothingNewerThanBash32() throws Exception {
    List<Path> scripts = scripts();
    assertTrue(scripts.size() >= 6, scripts.toString());
    List<String> problems = new ArrayList<>();
    for (Path script : scripts) {
      problems.addAll(bash32Problems(script));
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems));
    // The lint sees the field report's construct (and lets its fix through).
    Path planted = Files.createTempFile("bash32", ".sh");
    Files.writeString(planted, String.join("\n", "set -u", "secret=()",
        "python3 steps.py \"${secret[@]}\" \"$@\"", "python3 steps.py ${secret[@]+\"${secret[@]}\"} \"$@\"",
        "declare -A seen", "echo \"${name,,}\""));
    List<String> found = bash32Problems(planted);
    Files.delete(planted);
    assertEquals(3, found.size(), String.join("\n", found));
    assertTrue(found.get(0).contains(":3: \"${secret[@]}\" is unbound"), found.get(0));
  }

  @Test
  void shellcheckFindsNothing() throws Exception {
    String shellcheck = required("shellcheck");
    List<String> command = new ArrayList<>(List.of(shellcheck, "--shell=bash", "-x"));
    scripts().forEach(p -> command.add(p.toString()));
    Run r = run(command, Map.of(), 5);
    assertEquals(0, r.exit(), r.output());
  }

  @Test
  void theLifecycleMergeKeepsTheBucketsOtherRulesAndReplacesOnlyItsOwn() throws Exception {
    String script = String.join("\n",
        "import json, sys",
        "sys.path.insert(0, 'deploy/emr')",
        "from lifecycle_merge import merge, MergeError",
        "ours = json.load(open('deploy/emr/s3-lifecycle.json'))",
        "mine = ours['Rules'][0]['ID']",
        "other = {'ID': 'logs-90d', 'Filter': {'Prefix': 'emr-logs/'}, 'Status': 'Enabled', 'Expiration': {'Days': 90}}",
        "last = {'ID': 'raw-glacier', 'Filter': {'Prefix': 'raw/'}, 'Status': 'Enabled',"
            + " 'Transitions': [{'Days': 30, 'StorageClass': 'GLACIER'}]}",
        "old = dict(ours['Rules'][0], Expiration={'Days': 7})",
        "cases = {}",
        "cases['empty'] = merge({}, ours)",
        "cases['beside'] = merge({'Rules': [other], 'TransitionDefaultMinimumObjectSize': 'varies_by_storage_class'}, ours)",
        "cases['replace'] = merge({'Rules': [other, old, last]}, ours)",
        "cases['legacy'] = merge({'Rules': [{'ID': 'tmp', 'Prefix': 'tmp/', 'Status': 'Enabled',"
            + " 'Expiration': {'Days': 1}}]}, ours)",
        "out = {k: {'rules': v[0]['Rules'], 'size': v[1], 'summary': v[2]} for k, v in cases.items()}",
        "errors = []",
        "for bad in [({'Rules': [dict(other, ID='r%d' % i) for i in range(1000)]}, ours), ({}, {'Rules': [{}]}),"
            + " ({}, {'Rules': []})]:",
        "    try:",
        "        merge(*bad); errors.append('accepted')",
        "    except MergeError as e:",
        "        errors.append(str(e))",
        "out['errors'] = errors",
        "print(json.dumps(out))");
    Run r = run(List.of("python3", "-c", script), Map.of(), 1);
    assertEquals(0, r.exit(), r.output());
    JsonNode out = JSON.readTree(r.output());
    JsonNode ours = JSON.readTree(EMR.resolve("s3-lifecycle.json").toFile()).get("Rules").get(0);
    assertEquals(List.of(ours), list(out.at("/empty/rules")), "a bucket without rules gets ours");
    assertEquals("logs-90d", out.at("/beside/rules/0/ID").asText(), "another rule is kept, first");
    assertEquals(ours, out.at("/beside/rules/1"));
    assertEquals("varies_by_storage_class", out.at("/beside/size").asText(), "the bucket's transition size is kept");
    assertEquals(3, out.at("/replace/rules").size(), "ours replaced in place, no duplicate: " + out.get("replace"));
    assertEquals(ours, out.at("/replace/rules/1"), "the old 7-day version of our rule is replaced");
    assertEquals("raw-glacier", out.at("/replace/rules/2/ID").asText());
    assertTrue(out.at("/replace/summary").asText().contains("replaced ['silo-reports-expire-reports']"),
        out.at("/replace/summary").asText());
    assertEquals("tmp/", out.at("/legacy/rules/0/Filter/Prefix").asText(), "old-form prefix rewritten as a Filter");
    assertFalse(out.at("/legacy/rules/0").has("Prefix"), "S3 refuses old and new forms mixed");
    List<String> errors = new ArrayList<>();
    out.get("errors").forEach(e -> errors.add(e.asText()));
    assertTrue(errors.get(0).contains("1001 rules; S3 allows 1000"), errors.toString());
    assertTrue(errors.get(1).contains("needs an ID"), errors.toString());
    assertTrue(errors.get(2).contains("no rules"), errors.toString());
  }

  private static JsonNode uncheckedRead(Path json) {
    try {
      return JSON.readTree(json.toFile());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static List<JsonNode> list(JsonNode array) {
    List<JsonNode> out = new ArrayList<>();
    array.forEach(out::add);
    return out;
  }
}
