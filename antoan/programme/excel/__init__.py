"""The data collection toolkit of plan section IV.7: Excel templates per activity kind, an
all-or-nothing import with a row-by-row report, and the export of any filtered list.

``columns`` defines the file format once; ``template`` writes it, ``reader`` and ``importer``
read it back, ``export`` writes activities in it.
"""
