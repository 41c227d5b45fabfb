"""Reports: parameters, the notebook API (``open_chapter``) and the runner (execute, render, publish)."""
