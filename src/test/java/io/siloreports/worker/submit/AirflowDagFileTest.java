package io.siloreports.worker.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * deploy/airflow/silo_reports_dag.py loaded by python3 under stand-ins of Airflow 2.x and 3.x (no Airflow here):
 * its DAGs, operators, arguments and flags, and its templates rendered for a run's conf the way Airflow renders them
 * (Jinja2's NativeEnvironment with the DAG's macros and StrictUndefined; skipped, saying so, where python3 has no
 * jinja2). The stand-in classes take the constructor parameters of the real ones and refuse others, as Airflow's
 * BaseOperator refuses unknown arguments; read in apache/airflow:
 * {@code providers/amazon/src/airflow/providers/amazon/aws/operators/emr.py} (EmrAddStepsOperator, commit 01eb066c)
 * and {@code .../aws/sensors/emr.py} (EmrStepSensor, commit 01cd0d0a), of the 9.x line (9.39.0 on PyPI today);
 * {@code providers/apache/spark/src/airflow/providers/apache/spark/operators/spark_submit.py} (SparkSubmitOperator,
 * commit 015d5de7, the 6.x line with {@code durable}; 6.3.4 on PyPI today); {@code airflow-core/src/airflow/
 * __init__.py} (3.0.4: {@code DAG} is authored from {@code airflow.sdk} in 3.x, {@code airflow.DAG} in 2.x).
 */
class AirflowDagFileTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ARTIFACTS = "s3://bucket/silo-reports";

  /** The stand-ins of Airflow's modules, then the DAG file, then what it defined and how its templates render. */
  private static final String CHECK = """
      import datetime, json, runpy, sys, types
      VERSION, WITH_SPARK = sys.argv[1], sys.argv[2] == "spark"
      _dags = []

      class DAG:
          current = None
          # parameters both Airflow 2.x and 3.x take; an unknown one is a TypeError there too
          KNOWN = {"description", "schedule", "start_date", "end_date", "default_args", "max_active_tasks",
                   "max_active_runs", "catchup", "tags", "is_paused_upon_creation", "render_template_as_native_obj",
                   "user_defined_macros", "user_defined_filters", "params", "dagrun_timeout", "doc_md"}
          def __init__(self, dag_id, **kwargs):
              unknown = set(kwargs) - self.KNOWN
              if unknown:
                  raise TypeError("DAG got unexpected arguments %s" % sorted(unknown))
              self.dag_id, self.args, self.tasks = dag_id, kwargs, {}
              _dags.append(self)
          def __enter__(self):
              DAG.current = self
              return self
          def __exit__(self, *exc):
              DAG.current = None

      class BaseOperator:
          template_fields = ()
          def __init_subclass__(cls, **kw):
              # Airflow applies a DAG's default_args to the parameters an operator's constructors take
              init = cls._own_init = cls.__dict__["__init__"]
              def with_defaults(self, *args, **kwargs):
                  if not getattr(self, "_defaults_applied", False):
                      self._defaults_applied = True
                      accepted = set()
                      for c in type(self).__mro__[:-1]:  # without object
                          code = c.__dict__.get("_own_init", c.__dict__.get("__init__")).__code__
                          accepted |= set(code.co_varnames[:code.co_argcount + code.co_kwonlyargcount])
                      for k, v in (DAG.current.args.get("default_args") or {}).items():
                          if k in accepted and k not in kwargs:
                              kwargs[k] = v
                  init(self, *args, **kwargs)
              cls.__init__ = with_defaults
          def __init__(self, *, task_id, owner="airflow", retries=0, retry_delay=None, execution_timeout=None,
                       do_xcom_push=True, trigger_rule="all_success", pool=None, queue=None, **kwargs):
              if kwargs:
                  raise TypeError("Invalid arguments were passed to %s (task_id: %s). Invalid arguments were:"
                                  " **kwargs: %s" % (type(self).__name__, task_id, kwargs))
              self.task_id, self.retries, self.execution_timeout = task_id, retries, execution_timeout
              self.downstream, self.dag = [], DAG.current
              self.dag.tasks[task_id] = self
          def __rshift__(self, other):
              self.downstream.append(other.task_id)
              return other

      class BaseSensorOperator(BaseOperator):
          def __init__(self, *, poke_interval=60, timeout=7 * 24 * 3600, soft_fail=False, mode="poke",
                       exponential_backoff=False, max_wait=None, silent_fail=False, never_fail=False, **kwargs):
              super().__init__(**kwargs)
              self.poke_interval, self.timeout, self.mode = poke_interval, timeout, mode

      AWS_FIELDS = ("aws_conn_id", "region_name", "verify")

      class AwsBaseOperator(BaseOperator):
          def __init__(self, *, aws_conn_id="aws_default", region_name=None, verify=None, botocore_config=None,
                       **kwargs):
              super().__init__(**kwargs)
              self.aws_conn_id, self.region_name, self.verify = aws_conn_id, region_name, verify

      class AwsBaseSensor(BaseSensorOperator):
          def __init__(self, *, aws_conn_id="aws_default", region_name=None, verify=None, botocore_config=None,
                       **kwargs):
              super().__init__(**kwargs)
              self.aws_conn_id, self.region_name, self.verify = aws_conn_id, region_name, verify

      class EmrAddStepsOperator(AwsBaseOperator):
          template_fields = ("job_flow_id", "job_flow_name", "cluster_states", "steps", "execution_role_arn") \\
              + AWS_FIELDS
          def __init__(self, *, job_flow_id=None, job_flow_name=None, cluster_states=None, steps=None,
                       wait_for_completion=False, waiter_delay=30, waiter_max_attempts=60, execution_role_arn=None,
                       deferrable=False, openlineage_inject_parent_job_info=False, **kwargs):
              if (job_flow_id is None) == (job_flow_name is None):
                  raise ValueError("Exactly one of job_flow_id or job_flow_name must be specified.")
              super().__init__(**kwargs)
              self.job_flow_id, self.job_flow_name, self.cluster_states = job_flow_id, job_flow_name, cluster_states or []
              self.steps, self.execution_role_arn, self.deferrable = steps or [], execution_role_arn, deferrable
              self.wait_for_completion = False if deferrable else wait_for_completion

      class EmrStepSensor(AwsBaseSensor):
          template_fields = ("job_flow_id", "step_id", "target_states", "failed_states") + AWS_FIELDS
          def __init__(self, *, job_flow_id, step_id, target_states=None, failed_states=None, max_attempts=60,
                       deferrable=False, **kwargs):
              super().__init__(**kwargs)
              self.job_flow_id, self.step_id, self.max_attempts, self.deferrable = job_flow_id, step_id, \\
                  max_attempts, deferrable
              self.target_states = target_states or ["COMPLETED"]
              self.failed_states = failed_states or ["CANCELLED", "FAILED", "INTERRUPTED"]

      class SparkSubmitOperator(BaseOperator):
          template_fields = ("application", "conf", "files", "py_files", "jars", "driver_class_path", "packages",
                             "exclude_packages", "keytab", "principal", "proxy_user", "name", "application_args",
                             "env_vars", "post_submit_commands", "properties_file")
          def __init__(self, *, application="", conf=None, conn_id="spark_default", files=None, py_files=None,
                       archives=None, driver_class_path=None, jars=None, java_class=None, packages=None,
                       exclude_packages=None, repositories=None, total_executor_cores=None, executor_cores=None,
                       executor_memory=None, driver_memory=None, keytab=None, principal=None, proxy_user=None,
                       name="arrow-spark", num_executors=None, status_poll_interval=1, application_args=None,
                       env_vars=None, verbose=False, spark_binary=None, properties_file=None, yarn_queue=None,
                       deploy_mode=None, use_krb5ccache=False, post_submit_commands=None,
                       track_driver_via_k8s_api=False, yarn_track_via_rm_api=False, yarn_rm_auth=None,
                       openlineage_inject_parent_job_info=False, openlineage_inject_transport_info=False,
                       reconnect_on_retry=None, durable=None, **kwargs):
              super().__init__(**kwargs)
              self.application, self.conf, self.files, self.name = application, conf, files, name
              self.application_args, self.java_class, self.deploy_mode = application_args, java_class, deploy_mode
              self.conn_id = conn_id
              for f in self.template_fields:
                  if not hasattr(self, f):
                      setattr(self, f, None)

      def module(name, **attrs):
          m = types.ModuleType(name)
          m.__dict__.update(attrs)
          sys.modules[name] = m
          return m

      airflow = module("airflow", __version__=VERSION)
      if VERSION.startswith("2."):
          airflow.DAG = DAG
      else:
          airflow.sdk = module("airflow.sdk", DAG=DAG)
      for name in ["airflow.providers", "airflow.providers.amazon", "airflow.providers.amazon.aws",
                   "airflow.providers.amazon.aws.operators", "airflow.providers.amazon.aws.sensors"]:
          module(name)
      module("airflow.providers.amazon.aws.operators.emr", EmrAddStepsOperator=EmrAddStepsOperator)
      module("airflow.providers.amazon.aws.sensors.emr", EmrStepSensor=EmrStepSensor)
      if WITH_SPARK:
          for name in ["airflow.providers.apache", "airflow.providers.apache.spark",
                       "airflow.providers.apache.spark.operators"]:
              module(name)
          module("airflow.providers.apache.spark.operators.spark_submit", SparkSubmitOperator=SparkSubmitOperator)

      sys.path.insert(0, ".")
      runpy.run_path("airflow/silo_reports_dag.py", run_name="silo_reports_dag")

      def plain(v):
          if isinstance(v, datetime.timedelta):
              return v.total_seconds()
          if isinstance(v, (list, tuple)):
              return [plain(x) for x in v]
          if isinstance(v, dict):
              return {k: plain(x) for k, x in v.items()}
          return v if isinstance(v, (str, int, float, bool, type(None))) else repr(v)

      try:
          import jinja2, jinja2.nativetypes
      except ImportError:
          jinja2 = None

      class Value:
          def __init__(self, variables):
              self._v = variables
          def __getattr__(self, key):
              return self._v[key]
          def get(self, key, default=None):
              return self._v.get(key, default)

      class Ti:
          def xcom_pull(self, task_ids):
              return {"add_report_step": ["s-1"]}[task_ids]

      def rendered(dag, task, conf):
          env = (jinja2.nativetypes.NativeEnvironment if dag.args.get("render_template_as_native_obj")
                 else jinja2.Environment)(undefined=jinja2.StrictUndefined)
          ctx = dict(dag.args.get("user_defined_macros") or {})
          ctx.update(dag_run=types.SimpleNamespace(conf=conf), task_instance=Ti(), ti=Ti(), var=types.SimpleNamespace(
              value=Value({"silo_reports_emr_cluster_id": "j-TEST", "silo_reports_artifacts": sys.argv[3],
                           "silo_reports_db_secret_id": "rds/silo"})))
          def render(v):
              if isinstance(v, str):
                  return env.from_string(v).render(**ctx)
              if isinstance(v, (list, tuple)):
                  return [render(x) for x in v]
              if isinstance(v, dict):
                  return {k: render(x) for k, x in v.items()}
              return v
          return {f: plain(render(getattr(task, f))) for f in task.template_fields}

      out = {}
      for dag in _dags:
          d = {"args": {k: plain(v) for k, v in dag.args.items() if k != "user_defined_macros"}, "tasks": {}}
          for t in dag.tasks.values():
              d["tasks"][t.task_id] = {"class": type(t).__name__, "downstream": t.downstream,
                                       "attrs": {k: plain(v) for k, v in vars(t).items() if k != "dag"}}
              if jinja2:
                  d["tasks"][t.task_id]["rendered"] = rendered(dag, t, json.loads(sys.argv[4]))
                  try:
                      rendered(dag, t, {"job_id": "../x"})
                      d["tasks"][t.task_id]["bad_conf"] = "ACCEPTED"
                  except ValueError as e:
                      d["tasks"][t.task_id]["bad_conf"] = str(e)
          out[dag.dag_id] = d
      out["_jinja2"] = jinja2 is not None
      print(json.dumps(out))
      """;

  private static JsonNode load(String airflowVersion, boolean withSpark, String conf) throws Exception {
    Process p = new ProcessBuilder("python3", "-c", CHECK, airflowVersion, withSpark ? "spark" : "no-spark", ARTIFACTS,
        conf).directory(Path.of("deploy").toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python3 finished");
    assertEquals(0, p.exitValue(), out);
    return JSON.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(a -> out.add(a.asText()));
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"2.11.0", "3.3.2"})
  void bothDagsAreCreatedUnpausedWithTheirOperatorsAndFlags(String airflowVersion) throws Exception {
    JsonNode dags = load(airflowVersion, true, "{\"job_id\": \"r-7\"}");
    for (String dag : List.of("silo_reports_report", "silo_reports_report_spark_submit")) {
      JsonNode args = dags.path(dag).path("args");
      assertFalse(args.path("is_paused_upon_creation").asBoolean(true), dag + " starts unpaused: " + args);
      assertTrue(args.path("schedule").isNull(), dag + " runs only when triggered");
    }
    JsonNode emr = dags.path("silo_reports_report").path("tasks");
    List<String> tasks = new ArrayList<>();
    emr.fieldNames().forEachRemaining(tasks::add);
    assertEquals(List.of("add_report_step", "wait_for_report_step"), tasks);
    JsonNode add = emr.path("add_report_step");
    assertEquals("EmrAddStepsOperator", add.path("class").asText());
    assertEquals(List.of("wait_for_report_step"), strings(add.path("downstream")));
    assertFalse(add.path("attrs").path("wait_for_completion").asBoolean(), "the sensor waits, not the operator");
    JsonNode wait = emr.path("wait_for_report_step").path("attrs");
    assertTrue(wait.path("deferrable").asBoolean(), "the sensor waits in the triggerer: " + wait);
    assertEquals(45 * 60, wait.path("poke_interval").asInt() * wait.path("max_attempts").asInt(),
        "its deferral times out after 45 minutes");

    JsonNode submit = dags.path("silo_reports_report_spark_submit").path("tasks");
    assertEquals(1, submit.size(), "one plain operator, no PythonOperator around it: " + submit);
    JsonNode report = submit.path("report");
    assertEquals("SparkSubmitOperator", report.path("class").asText());
    JsonNode attrs = report.path("attrs");
    assertEquals("cluster", attrs.path("deploy_mode").asText());
    assertEquals("io.siloreports.cli.Main", attrs.path("java_class").asText());
    assertEquals(45 * 60, attrs.path("execution_timeout").asInt(), "its timeout reaches the operator's on_kill");
    assertEquals("silo-reports-report-{{ dag_run.conf['job_id'] }}", attrs.path("name").asText());
  }

  @ParameterizedTest
  @ValueSource(strings = {"2.11.0", "3.3.2"})
  void theTemplatesRenderARunsStepAndArgumentsWithTheSharedCode(String airflowVersion) throws Exception {
    JsonNode dags = load(airflowVersion, true, "{\"job_id\": \"r-7\", \"silos\": [1, 3], \"from\": \"2026-11-01\"}");
    Assumptions.assumeTrue(dags.path("_jinja2").asBoolean(), "python3 has no jinja2: the templates are not rendered");
    JsonNode add = dags.path("silo_reports_report").path("tasks").path("add_report_step").path("rendered");
    assertEquals("j-TEST", add.path("job_flow_id").asText());
    JsonNode steps = add.path("steps");
    assertTrue(steps.isArray() && steps.size() == 1, "a list of one step, not its text: " + steps);
    List<String> args = strings(steps.get(0).path("HadoopJarStep").path("Args"));
    // the worker's EMR submitter builds the same step for the same job (its own code, in Java)
    List<String> expected = new ArrayList<>(EmrSubmitter.stepArgs(ARTIFACTS, "r-7", Map.of("db", "rds/silo"),
        List.of()));
    expected.addAll(List.of("--silos", "1,3", "--from", "2026-11-01"));
    assertEquals(expected, args);
    JsonNode sensor = dags.path("silo_reports_report").path("tasks").path("wait_for_report_step").path("rendered");
    assertEquals("s-1", sensor.path("step_id").asText(), "the step id from add_report_step's XCom");

    JsonNode spark = dags.path("silo_reports_report_spark_submit").path("tasks").path("report").path("rendered");
    assertEquals("silo-reports-report-r-7", spark.path("name").asText());
    assertEquals("s3a://bucket/silo-reports/silo-reports-shaded.jar", spark.path("application").asText());
    assertEquals("s3a://bucket/silo-reports/emr.properties", spark.path("files").asText());
    assertEquals(List.of("report", "--config", "emr.properties", "--conf", "db.password-secret-id=rds/silo",
        "--job-id", "r-7", "--silos", "1,3", "--from", "2026-11-01"), strings(spark.path("application_args")));
    assertEquals("1", spark.path("conf").path("spark.yarn.maxAppAttempts").asText(), "one YARN attempt");

    for (String task : List.of("add_report_step", "report")) {
      JsonNode t = dags.path(task.equals("report") ? "silo_reports_report_spark_submit" : "silo_reports_report")
          .path("tasks").path(task);
      assertTrue(t.path("bad_conf").asText().startsWith("job_id must be"), task + " refuses a bad job id: " + t);
    }
  }

  @Test
  void withoutTheSparkProviderOnlyTheEmrDagExists() throws Exception {
    JsonNode dags = load("3.3.2", false, "{\"job_id\": \"r-7\"}");
    assertTrue(dags.has("silo_reports_report"));
    assertFalse(dags.has("silo_reports_report_spark_submit"), dags.toString());
  }
}
