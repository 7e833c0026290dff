"""The asset graph, one module per stage: ingest → validation → budget → report.

Asset functions are thin: they take what a stage needs from the resources, call the pure
functions in ``alis_nord``, and write the year's slice of the warehouse. Heavy libraries
(openpyxl, SQLAlchemy, Jinja2, WeasyPrint) are imported inside the asset bodies so that
loading the code location costs little more than ``import dagster``.
"""
