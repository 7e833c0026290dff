"""The asset graph, one module per stage: ingest → validation → budget → report.

Asset functions are thin: they take what a stage needs from the resources, call the pure
functions in ``alis_nord``, and write the year's slice of the warehouse. Heavy libraries
(openpyxl, SQLAlchemy, Jinja2, WeasyPrint) are imported inside the asset bodies so that
loading the code location costs little more than ``import dagster``.

Importing any stage module imports them all, here, in graph order: an asset declares the
tables it writes, and a reader's dependencies are found among the writers decorated before it
(``glue.lineage``).
"""

from assets import ingest, validation, budget, payments, workbook, feedback, report  # noqa: I001 - graph order

STAGES = [  # (group name in the UI, a module with its assets and checks)
    ("ingest", ingest),
    ("validation", validation),
    ("budget", budget),
    ("budget", payments),
    ("budget", workbook),
    ("report", report),
    ("to_municipalities", feedback),
]
