"""silo-reports on Airflow.

Two DAGs, triggered per report request with a conf like
``{"job_id": "r-123", "silos": [1, 3], "from": "2026-11-01", "to": "2026-11-08", "as_of": null, "format": "xlsx"}``
(only ``job_id`` is required; a job the API stored keeps its own params, and these flags override them):

- ``silo_reports_report``: one EMR step (``spark-submit --deploy-mode cluster``) and a sensor that waits for it.
  Needs only the Amazon provider (``apache-airflow-providers-amazon``).
- ``silo_reports_report_spark_submit``: the same through SparkSubmitOperator, for a Spark cluster that is not EMR;
  defined only when the Spark provider (``apache-airflow-providers-apache-spark``) is installed.

The step and argument lists come from ``deploy/silo_reports_steps.py`` (copy it next to this file), the same code
``deploy/emr/add-steps.sh`` uses and the project's tests check. No password passes through Airflow: the job reads it
from Secrets Manager itself (``db.password-secret-id``).

Variables: ``silo_reports_emr_cluster_id``, ``silo_reports_artifacts`` (s3://bucket/prefix holding
silo-reports-shaded.jar and emr.properties), ``silo_reports_db_secret_id`` (the Secrets Manager secret of the
database password), and for the spark-submit DAG a Hadoop-readable ``silo_reports_artifacts`` (hdfs:// or s3a://).
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.models import Variable
from airflow.operators.python import PythonOperator
from airflow.providers.amazon.aws.operators.emr import EmrAddStepsOperator
from airflow.providers.amazon.aws.sensors.emr import EmrStepSensor

import silo_reports_steps as steps

default_args = {"retries": 0, "execution_timeout": timedelta(minutes=45)}


def _secret_ids():
    return {"db": Variable.get("silo_reports_db_secret_id", default_var=None)}


def _report_step(**context):
    """The EMR step of this run's report, built when the run starts (dag_run.conf is known then)."""
    conf = context["dag_run"].conf or {}
    return [steps.emr_step("report", Variable.get("silo_reports_artifacts"), steps.report_arguments(conf),
                           _secret_ids())]


with DAG(
    dag_id="silo_reports_report",
    start_date=datetime(2026, 1, 1),
    schedule=None,
    catchup=False,
    max_active_runs=8,
    default_args=default_args,
    tags=["silo-reports"],
    render_template_as_native_obj=True,  # the steps reach EmrAddStepsOperator as a list, not its text
) as report_dag:
    build = PythonOperator(task_id="build_report_step", python_callable=_report_step)
    add_step = EmrAddStepsOperator(
        task_id="add_report_step",
        job_flow_id="{{ var.value.silo_reports_emr_cluster_id }}",
        steps="{{ task_instance.xcom_pull(task_ids='build_report_step') }}",
    )
    wait = EmrStepSensor(
        task_id="wait_for_report_step",
        job_flow_id="{{ var.value.silo_reports_emr_cluster_id }}",
        step_id="{{ task_instance.xcom_pull(task_ids='add_report_step')[0] }}",
        poke_interval=15,
        timeout=45 * 60,
    )
    build >> add_step >> wait

try:  # the Spark provider is optional: without it only the EMR DAG exists
    from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
except ImportError:
    SparkSubmitOperator = None

if SparkSubmitOperator is not None:

    def _submit(**context):
        conf = context["dag_run"].conf or {}
        artifacts = Variable.get("silo_reports_artifacts")
        return SparkSubmitOperator(
            task_id="report_run",
            conn_id="spark_default",
            application=steps.application_jar(artifacts, emr=False),
            java_class=steps.MAIN_CLASS,
            deploy_mode="cluster",
            files=steps.config_file(artifacts, emr=False),
            conf=steps.spark_conf("report"),
            application_args=steps.job_arguments("report", steps.report_arguments(conf), _secret_ids()),
        ).execute(context)

    with DAG(
        dag_id="silo_reports_report_spark_submit",
        start_date=datetime(2026, 1, 1),
        schedule=None,
        catchup=False,
        default_args=default_args,
        tags=["silo-reports"],
    ) as submit_dag:
        PythonOperator(task_id="report", python_callable=_submit)
