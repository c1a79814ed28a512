"""The SparkSession the Spark engine runs in: `local[*]` on this machine, or a cluster given by its master URL.

Settings that change results are the same everywhere: UTC session time zone, and ANSI mode off, so
an array index past the end gives NULL as it does in DuckDB; variable substitution (`${...}` in SQL
text) is off, since packs' texts reach the SQL. The others are
about running quietly and within this machine: no web UI, no progress bar, few shuffle partitions
in local mode, and warnings only in the log.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from secondchance.errors import UserError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["DEFAULT_MASTER", "spark_session", "stop_spark_session"]

DEFAULT_MASTER = "local[*]"
# The driver holds the results on their way to the store (Arrow), beside DuckDB: about a third of 24 GB.
DEFAULT_DRIVER_MEMORY = "8g"
_LOG4J2 = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""


def _log_config() -> Path:
    path = Path(tempfile.gettempdir()) / "secondchance-spark-log4j2.properties"
    if not path.exists() or path.read_text() != _LOG4J2:
        path.write_text(_LOG4J2)
    return path


def spark_session(
    master: str | None = None,
    *,
    driver_memory: str = DEFAULT_DRIVER_MEMORY,
    shuffle_partitions: int | None = None,
    app_name: str = "secondchance",
) -> SparkSession:
    """A SparkSession on `master` (default `local[*]`), or the one already running in this process."""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise UserError("the Spark engine needs Java 17; install it with scripts/install-system-packages")
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise UserError("the Spark engine needs pyspark: pip install 'pyspark==4.3.0'") from None
    master = master or DEFAULT_MASTER
    local = master.startswith("local")
    if shuffle_partitions is None:
        # Local mode: a few partitions per core; Spark's default of 200 costs more in scheduling than it saves.
        shuffle_partitions = 2 * (os.cpu_count() or 2) if local else 200
    java_options = f"-Dlog4j2.configurationFile=file:{_log_config()}"
    builder = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.driver.memory", driver_memory)
        .config("spark.driver.extraJavaOptions", java_options)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.sql.variable.substitute", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    try:
        session = builder.getOrCreate()
    except Exception as error:  # py4j and Spark raise many kinds; the message is what a user needs
        raise UserError(f"could not start Spark on {master}: {str(error).splitlines()[0]}") from None
    session.sparkContext.setLogLevel("ERROR")
    # A session that was already running keeps its start-up settings; these two can be changed now.
    session.conf.set("spark.sql.session.timeZone", "UTC")
    session.conf.set("spark.sql.ansi.enabled", "false")
    # Spark would otherwise replace ${env:NAME}, ${system:name} and ${conf} anywhere in SQL text,
    # quoted or not, before parsing it: a pack's text could read the environment.
    session.conf.set("spark.sql.variable.substitute", "false")
    return session


def stop_spark_session(session: SparkSession) -> None:
    """Stop a session started by `spark_session`."""
    session.stop()
