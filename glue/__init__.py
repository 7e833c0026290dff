"""The Dagster glue: the yearly adapter that makes a function of one report year a partitioned
asset, the report years, the partitioned checks, lineage and the resources."""
