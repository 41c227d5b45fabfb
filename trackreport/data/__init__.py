"""Data: the contract (schemas), validated loaders, the contract writer, the sample company and cohorts.

Nothing here knows about statistics, chapters or reports.
"""
