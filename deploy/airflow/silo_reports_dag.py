"""silo-reports on Airflow.

Two DAGs:
- ``silo_reports_report``: triggered per report request with conf {"job_id": "..."} (by the API with
  submitter=none, or by hand). Adds one EMR step running ``report --job-id`` and waits for it. The job's
  status and error live in ``report_jobs``; a failed step fails the task.
- ``silo_reports_report_spark_submit``: the same through SparkSubmitOperator for a Spark cluster that is not EMR.

Variables: ``silo_reports_emr_cluster_id``, ``silo_reports_artifacts`` (s3://bucket/prefix with
silo-reports-shaded.jar and emr.properties, see deploy/emr/README.md).
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.models import Variable
from airflow.providers.amazon.aws.operators.emr import EmrAddStepsOperator
from airflow.providers.amazon.aws.sensors.emr import EmrStepSensor
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

ARTIFACTS = "{{ var.value.silo_reports_artifacts }}"
JOB_ID = "{{ dag_run.conf['job_id'] }}"

REPORT_STEP = [
    {
        "Name": "silo-reports report " + JOB_ID,
        "ActionOnFailure": "CONTINUE",
        "HadoopJarStep": {
            "Jar": "command-runner.jar",
            "Args": [
                "spark-submit", "--deploy-mode", "cluster",
                "--class", "io.siloreports.cli.Main",
                "--files", ARTIFACTS + "/emr.properties",
                "--conf", "spark.sql.session.timeZone=UTC",
                "--conf", "spark.driver.extraJavaOptions=-Duser.timezone=UTC",
                ARTIFACTS + "/silo-reports-shaded.jar",
                "report", "--config", "emr.properties", "--job-id", JOB_ID,
            ],
        },
    }
]

default_args = {"retries": 0, "execution_timeout": timedelta(minutes=45)}

with DAG(
    dag_id="silo_reports_report",
    start_date=datetime(2026, 1, 1),
    schedule=None,
    catchup=False,
    max_active_runs=8,
    default_args=default_args,
    tags=["silo-reports"],
) as report_dag:
    add_step = EmrAddStepsOperator(
        task_id="add_report_step",
        job_flow_id="{{ var.value.silo_reports_emr_cluster_id }}",
        steps=REPORT_STEP,
    )
    wait = EmrStepSensor(
        task_id="wait_for_report_step",
        job_flow_id="{{ var.value.silo_reports_emr_cluster_id }}",
        step_id="{{ task_instance.xcom_pull(task_ids='add_report_step')[0] }}",
        poke_interval=15,
        timeout=45 * 60,
    )
    add_step >> wait

with DAG(
    dag_id="silo_reports_report_spark_submit",
    start_date=datetime(2026, 1, 1),
    schedule=None,
    catchup=False,
    default_args=default_args,
    tags=["silo-reports"],
) as submit_dag:
    SparkSubmitOperator(
        task_id="report",
        conn_id="spark_default",
        application=ARTIFACTS + "/silo-reports-shaded.jar",
        java_class="io.siloreports.cli.Main",
        files=ARTIFACTS + "/emr.properties",
        conf={"spark.sql.session.timeZone": "UTC"},
        application_args=["report", "--config", "emr.properties", "--job-id", JOB_ID],
        env_vars={"SILO_REPORTS_DB_PASSWORD": "{{ var.value.silo_reports_db_password }}"},
    )
