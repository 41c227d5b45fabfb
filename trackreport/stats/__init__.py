"""Pure statistics, each with its formula and source, each tested against an independent reference.

Nothing here knows about chapters, notebooks or reports: tidy frames or numbers in,
tidy frames or :class:`~trackreport.stats.estimate.Estimate` out.
"""
