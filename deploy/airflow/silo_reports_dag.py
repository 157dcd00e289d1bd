"""silo-reports on Airflow 2.x and 3.x (self-managed or Amazon MWAA).

Two DAGs, triggered per report request with a conf like
``{"job_id": "r-123", "silos": [1, 3], "from": "2026-11-01", "to": "2026-11-08", "as_of": null, "format": "xlsx"}``
(only ``job_id`` is required; a job the API stored keeps its own params, and these flags override them):

- ``silo_reports_report``: adds one EMR step (``spark-submit --deploy-mode cluster``) to the cluster and waits for it
  with a deferrable sensor, in the triggerer rather than in a worker slot. Needs only the Amazon provider
  (``apache-airflow-providers-amazon``).
- ``silo_reports_report_spark_submit``: the same through a SparkSubmitOperator in cluster deploy mode, for a Spark
  cluster that is not EMR; defined only when the Spark provider (``apache-airflow-providers-apache-spark``) is
  installed. The task's timeout or a kill reaches the operator's ``on_kill``, which stops the YARN application.

Both are created unpaused: the report service's worker triggers their runs, and a paused DAG's runs would stay
queued. (The worker also refuses to trigger a paused DAG, saying so.)

The step and the arguments are built when a run starts, from its ``dag_run.conf``, by ``deploy/silo_reports_steps.py``
(copy it next to this file), the code ``deploy/emr/add-steps.sh`` uses and the project's tests check; a bad conf fails
the run before anything is submitted. No password passes through Airflow: the job reads it from Secrets Manager
itself (``db.password-secret-id``).

Variables (read in templates, so nothing here depends on where Airflow keeps them): ``silo_reports_emr_cluster_id``,
``silo_reports_artifacts`` (s3://bucket/prefix holding silo-reports-shaded.jar and emr.properties; the spark-submit
DAG reads it as s3a://, or give an hdfs:// prefix), ``silo_reports_db_secret_id`` (optional: the Secrets Manager
secret of the database password).
"""
from datetime import datetime, timedelta

import airflow
from airflow.providers.amazon.aws.operators.emr import EmrAddStepsOperator
from airflow.providers.amazon.aws.sensors.emr import EmrStepSensor

import silo_reports_steps as steps

if airflow.__version__.startswith("2."):
    from airflow import DAG
else:  # Airflow 3: DAGs are written with the Task SDK
    from airflow.sdk import DAG

REPORT_TIMEOUT = timedelta(minutes=45)
default_args = {"retries": 0, "execution_timeout": REPORT_TIMEOUT}
DB_SECRET_ID = "var.value.get('silo_reports_db_secret_id', None)"


def report_step(conf, artifacts, db_secret_id):
    """The EMR steps of a run's report (a list of one, as EmrAddStepsOperator takes them)."""
    return [steps.emr_step("report", artifacts, steps.report_arguments(conf or {}), {"db": db_secret_id})]


def report_application_args(conf, db_secret_id):
    """The silo-reports arguments of a run's report, after the application jar."""
    return steps.job_arguments("report", steps.report_arguments(conf or {}), {"db": db_secret_id})


with DAG(
    dag_id="silo_reports_report",
    start_date=datetime(2026, 1, 1),
    schedule=None,
    catchup=False,
    max_active_runs=8,
    default_args=default_args,
    tags=["silo-reports"],
    is_paused_upon_creation=False,
    render_template_as_native_obj=True,  # the steps reach EmrAddStepsOperator as a list, not its text
    user_defined_macros={"report_step": report_step},
) as report_dag:
    # Not deferrable itself: it returns once EMR has the step; a deferrable one would wait for the step a second time.
    add_step = EmrAddStepsOperator(
        task_id="add_report_step",
        job_flow_id="{{ var.value.silo_reports_emr_cluster_id }}",
        steps="{{ report_step(dag_run.conf, var.value.silo_reports_artifacts, " + DB_SECRET_ID + ") }}",
    )
    wait = EmrStepSensor(
        task_id="wait_for_report_step",
        job_flow_id="{{ var.value.silo_reports_emr_cluster_id }}",
        step_id="{{ task_instance.xcom_pull(task_ids='add_report_step')[0] }}",
        deferrable=True,  # waits in the triggerer; its timeout is poke_interval * max_attempts
        poke_interval=15,
        max_attempts=int(REPORT_TIMEOUT.total_seconds()) // 15,
    )
    add_step >> wait

try:  # the Spark provider is optional: without it only the EMR DAG exists
    from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
except ImportError:
    SparkSubmitOperator = None

if SparkSubmitOperator is not None:
    with DAG(
        dag_id="silo_reports_report_spark_submit",
        start_date=datetime(2026, 1, 1),
        schedule=None,
        catchup=False,
        max_active_runs=8,
        default_args=default_args,
        tags=["silo-reports"],
        is_paused_upon_creation=False,
        render_template_as_native_obj=True,  # application_args reach the operator as a list
        user_defined_macros={
            "report_application_args": report_application_args,
            "application_jar": lambda artifacts: steps.application_jar(artifacts, emr=False),
            "config_file": lambda artifacts: steps.config_file(artifacts, emr=False),
        },
    ) as submit_dag:
        SparkSubmitOperator(
            task_id="report",
            conn_id="spark_default",
            application="{{ application_jar(var.value.silo_reports_artifacts) }}",
            java_class=steps.MAIN_CLASS,
            deploy_mode="cluster",
            files="{{ config_file(var.value.silo_reports_artifacts) }}",
            conf=steps.spark_conf("report"),
            name="silo-reports-report-{{ dag_run.conf['job_id'] }}",
            application_args="{{ report_application_args(dag_run.conf, " + DB_SECRET_ID + ") }}",
        )
