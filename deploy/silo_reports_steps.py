"""How silo-reports jobs are submitted: the spark-submit argument lists and EMR step definitions.

One piece of code for every launcher: deploy/emr/add-steps.sh and deploy/emr/create-cluster.sh call it from the
shell, the Airflow DAGs (deploy/airflow/silo_reports_dag.py) import it, and a test of the project checks what it
builds against Spark's own argument parser and silo-reports' flags. It imports nothing beyond the standard library,
so the DAG file loads with the Amazon provider alone, and the shell needs only python3.

    python3 deploy/silo_reports_steps.py step report --artifacts s3://bucket/silo-reports --job-id r1 [...]
    python3 deploy/silo_reports_steps.py step stream --artifacts s3://bucket/silo-reports -- --driver-memory 4g
"""
import json
import re
import sys

MAIN_CLASS = "io.siloreports.cli.Main"
JAR = "silo-reports-shaded.jar"
CONFIG = "emr.properties"
COMMANDS = ("stream", "report", "migrate", "backfill", "status")
# A report, a migration or a backfill must never run twice: one YARN attempt. The stream restarts from its checkpoint:
# YARN starts a failed stream again, up to 4 attempts (yarn.resourcemanager.am.max-attempts caps it) within an hour;
# older failures expire, so a stream that fails once a day is restarted every time.
ONE_ATTEMPT = ("report", "migrate", "backfill", "status")
STREAM_ATTEMPTS = {"spark.yarn.maxAppAttempts": "4", "spark.yarn.am.attemptFailuresValidityInterval": "1h"}
JOB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
REPORT_CONF_KEYS = ("job_id", "silos", "from", "to", "as_of", "format", "priority")
FORMATS = ("xlsx", "csv")


def hadoop_url(url, emr=True):
    """EMR reads s3:// itself (EMRFS); plain Hadoop and Spark read s3a://."""
    if not emr and url.startswith("s3://"):
        return "s3a://" + url[len("s3://"):]
    return url


def spark_conf(command):
    """The Spark settings of a command's run: UTC sessions, one YARN attempt for what must not run twice, restarts
    for the stream. (No
    extraJavaOptions: they would replace the cluster's own; nothing here depends on the JVM's time zone.)"""
    if command not in COMMANDS:
        raise ValueError("unknown command %r (one of %s)" % (command, ", ".join(COMMANDS)))
    conf = {"spark.sql.session.timeZone": "UTC"}
    if command in ONE_ATTEMPT:
        conf["spark.yarn.maxAppAttempts"] = "1"
    if command == "stream":
        conf.update(STREAM_ATTEMPTS)
    return conf


def config_file(artifacts, emr=True):
    return hadoop_url(artifacts.rstrip("/") + "/" + CONFIG, emr)


def application_jar(artifacts, emr=True):
    return hadoop_url(artifacts.rstrip("/") + "/" + JAR, emr)


def spark_submit_options(command, artifacts, emr=True, extra=None):
    """spark-submit options (before the application jar) for a silo-reports command in cluster deploy mode; the
    config file goes with --files into the driver's working directory."""
    opts = ["--deploy-mode", "cluster", "--name", "silo-reports-" + command, "--class", MAIN_CLASS,
            "--files", config_file(artifacts, emr)]
    for key, value in spark_conf(command).items():
        opts += ["--conf", "%s=%s" % (key, value)]
    return opts + list(extra or [])


def job_arguments(command, args=None, secret_ids=None):
    """The silo-reports arguments after the jar: the command, the config file, secrets by reference, its flags."""
    out = [command, "--config", CONFIG]
    for key, secret_id in sorted((secret_ids or {}).items()):
        if key not in ("db", "jobstore"):
            raise ValueError("secret ids are for 'db' or 'jobstore', got %r" % key)
        if secret_id:
            out += ["--conf", "%s.password-secret-id=%s" % (key, secret_id)]
    return out + list(args or [])


def report_arguments(conf):
    """A report's flags from an Airflow dag_run.conf (or an API job): job_id, silos, from, to, as_of, format."""
    unknown = sorted(set(conf) - set(REPORT_CONF_KEYS))
    if unknown:
        raise ValueError("unknown report conf keys %s (known: %s)" % (unknown, ", ".join(REPORT_CONF_KEYS)))
    job_id = str(conf.get("job_id") or "")
    if not JOB_ID.match(job_id):
        raise ValueError("job_id must be 1-128 of [A-Za-z0-9._-] starting with a letter or digit, got %r" % job_id)
    fmt = conf.get("format")
    if fmt is not None and fmt not in FORMATS:
        raise ValueError("format %r is not supported (supported: %s)" % (fmt, ", ".join(FORMATS)))
    args = ["--job-id", job_id]
    if fmt:
        args += ["--format", fmt]
    silos = conf.get("silos")
    if silos not in (None, "", "all"):
        if isinstance(silos, (list, tuple)):
            silos = ",".join(str(int(s)) for s in silos)
        if not re.match(r"^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$", str(silos)):
            raise ValueError("silos must look like 1,3-5 or be a list of ids, got %r" % (silos,))
        args += ["--silos", str(silos)]
    for key, flag in (("from", "--from"), ("to", "--to"), ("as_of", "--as-of")):
        if conf.get(key):
            args += [flag, str(conf[key])]
    return args


def spark_submit_command(command, artifacts, args=None, emr=True, secret_ids=None, extra=None):
    """The whole spark-submit command line of a job."""
    return (["spark-submit"] + spark_submit_options(command, artifacts, emr, extra)
            + [application_jar(artifacts, emr)] + job_arguments(command, args, secret_ids))


def emr_step(command, artifacts, args=None, secret_ids=None, extra=None, name=None):
    """An EMR step in the API's shape (AddJobFlowSteps, Airflow's EmrAddStepsOperator) that spark-submits a job
    through command-runner.jar; cli_step() gives the shape the AWS CLI takes."""
    return {
        "Name": name or ("silo-reports " + " ".join([command] + [a for a in (args or [])[:2]])).strip(),
        # The stream and the reports must not stop the cluster when one fails.
        "ActionOnFailure": "CONTINUE",
        "HadoopJarStep": {"Jar": "command-runner.jar",
                          "Args": spark_submit_command(command, artifacts, args, True, secret_ids, extra)},
    }


def cli_step(step):
    """The same step in the shape `aws emr add-steps --steps` takes (the CLI has its own, flatter model)."""
    return {"Type": "CUSTOM_JAR", "Name": step["Name"], "ActionOnFailure": step["ActionOnFailure"],
            "Jar": step["HadoopJarStep"]["Jar"], "Args": step["HadoopJarStep"]["Args"]}


def _main(argv):
    if len(argv) < 2 or argv[0] != "step":
        sys.stderr.write("usage: silo_reports_steps.py step COMMAND --artifacts URL [--db-secret-id ID]"
                         " [--jobstore-secret-id ID] [job flags...] [-- spark-submit options...]\n")
        return 2
    command, rest = argv[1], argv[2:]
    spark_opts = []
    if "--" in rest:
        i = rest.index("--")
        rest, spark_opts = rest[:i], rest[i + 1:]
    artifacts, secrets, job = None, {}, []
    i = 0
    while i < len(rest):
        if rest[i] == "--artifacts":
            artifacts = rest[i + 1]
            i += 2
        elif rest[i] in ("--db-secret-id", "--jobstore-secret-id"):
            secrets[rest[i][2:].split("-")[0]] = rest[i + 1]
            i += 2
        else:
            job.append(rest[i])
            i += 1
    if not artifacts:
        sys.stderr.write("--artifacts s3://bucket/prefix is required\n")
        return 2
    print(json.dumps([cli_step(emr_step(command, artifacts, job, secrets, spark_opts))]))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
