"""ALIS-Nord domain logic: pure, Dagster-free functions for landing files, parsing,
validation rules, money and the report. The Dagster assets in ``assets/`` call these."""
