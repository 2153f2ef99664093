"""All file reading of riskplan: one place, ``read_*`` functions, one column-name mapping.

A district dataset is a folder of CSV (or XLSX) tables, two GeoJSON files and ``dataset.toml``
(see ``docs/input-format.md`` and :mod:`riskplan.schema`). :func:`read_folder` reads it into a
:class:`~riskplan.dataset.Dataset` with the problems found while reading; :func:`read_table` reads
one table. The modules follow the seams of reading: column aliases (:mod:`~riskplan.io.aliases`),
file decoding (:mod:`~riskplan.io.decode`), value conversion (:mod:`~riskplan.io.convert`) and
reading (:mod:`~riskplan.io.read`). Validation across tables is :mod:`riskplan.validation`;
``riskplan.datasets.read_dataset`` does both.
"""

from riskplan.io.aliases import COLUMN_ALIASES, VALUE_ALIASES, standardize_columns
from riskplan.io.read import read_folder, read_geojson, read_metadata, read_table

__all__ = [
    "COLUMN_ALIASES",
    "VALUE_ALIASES",
    "standardize_columns",
    "read_table",
    "read_metadata",
    "read_geojson",
    "read_folder",
]
