#!/bin/bash
# First start of the compose PostgreSQL: Airflow's metadata and the pipeline's database are
# separate databases owned by separate roles; passwords come from the environment.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username postgres <<SQL
CREATE ROLE airflow LOGIN PASSWORD '${AIRFLOW_DB_PASSWORD}';
CREATE DATABASE airflow OWNER airflow;
CREATE ROLE portal_etl LOGIN PASSWORD '${PORTAL_ETL_DB_PASSWORD}';
CREATE DATABASE portal_etl OWNER portal_etl ENCODING 'UTF8' TEMPLATE template0;
-- the pipeline's job roles (sql/005_roles.sql grants their privileges); the login user acts as
-- them with SET ROLE and is not a superuser
CREATE ROLE portal_etl_pipeline NOLOGIN;
CREATE ROLE portal_etl_loader NOLOGIN;
CREATE ROLE portal_etl_report_reader NOLOGIN;
GRANT portal_etl_pipeline, portal_etl_loader TO portal_etl;
SQL
