"""Synthetic districts: the generator of the embedded Ouhai dataset, for any district.

A district is described by a :class:`DistrictSpec` (its code, names, townships with approximate
centres and census figures, outline, stations, lab, volumes, seed); :func:`build_district` turns
it into every table of a dataset, drawn from a hidden true unqualified rate per stratum
(:func:`hidden_truth`), and :func:`write_district` writes them as a dataset folder, byte for byte
reproducibly. :mod:`riskplan.synthetic.ouhai` is the embedded Ouhai spec;
:func:`make_synthetic` is a much smaller random district for tests.

Modules: ``spec`` (the inputs), ``geography`` (outline, township polygons, populations, points),
``catalogue`` (category and business-type tables), ``profiles`` and ``naming`` (how each business
type looks), ``establishments``, ``stations`` (stations, officers, labs), ``truth``, ``sampling``
(history and results), ``complaints``, ``targets``, ``district`` (the whole build), ``writing``
(the folder), ``ouhai``, ``small``.
"""

from riskplan.synthetic.district import SyntheticDistrict, build_district
from riskplan.synthetic.small import make_synthetic
from riskplan.synthetic.spec import DistrictSpec, HotSpot, Lab, Naming, Station, Volumes
from riskplan.synthetic.targets import TargetActual, TargetExamples
from riskplan.synthetic.truth import hidden_truth
from riskplan.synthetic.writing import DatasetMeta, write_district

__all__ = [
    "DatasetMeta",
    "DistrictSpec",
    "HotSpot",
    "Lab",
    "Naming",
    "Station",
    "SyntheticDistrict",
    "TargetActual",
    "TargetExamples",
    "Volumes",
    "build_district",
    "hidden_truth",
    "make_synthetic",
    "write_district",
]
