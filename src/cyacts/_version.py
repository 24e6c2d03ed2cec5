"""The version of cyacts: pyproject.toml reads it, tools/generate.py writes it into the header."""
__version__ = "0.1.0"
