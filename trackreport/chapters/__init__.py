"""One module per deck chapter: its computations and the tables and sentences it shows.

Chapters use :mod:`trackreport.data` and :mod:`trackreport.stats`; they never import the
report runner. Their charts live in :mod:`trackreport.plots`.
"""
