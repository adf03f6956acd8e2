"""mlpages: machine-learning course pages for MkDocs, verified against NumPy."""

__version__ = "0.1.0"
