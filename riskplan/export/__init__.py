"""Exports of a plan: the plan folder with CSV, XLSX, GeoJSON, PNG maps, report and manifest.

Modules, one idea each: :mod:`~riskplan.export.atomic` (atomic files and folders),
:mod:`~riskplan.export.headers` (zh/en column headers), :mod:`~riskplan.export.csvfile`
(Excel-safe CSV), :mod:`~riskplan.export.xlsx` (team workbooks), :mod:`~riskplan.export.geojson`
(RFC 7946), :mod:`~riskplan.export.maps` (PNG route maps, drawn by
:mod:`~riskplan.export.map_drawing` with :mod:`~riskplan.export.map_labels` (stop numbers) and
:mod:`~riskplan.export.map_legend` (legend strip), encoded by :mod:`~riskplan.export.png`),
:mod:`~riskplan.export.field`
(field-team tables), :mod:`~riskplan.export.report` (summary report),
:mod:`~riskplan.export.manifest` (hashes, configuration, versions),
:mod:`~riskplan.export.contract` (the plan folder's tables, columns and dtypes, declared once),
:mod:`~riskplan.export.plan_folder` (write a whole plan folder) and
:mod:`~riskplan.export.plan_reader` (read it back with the pipeline's dtypes).
"""

from riskplan.settings.export import ExportRules

__all__ = ["ExportRules"]
