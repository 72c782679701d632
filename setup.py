"""For `scrapyd-deploy` (scrapyd-client), which builds the project's egg with `setup.py bdist_egg`.

Everything is declared in pyproject.toml (packages, site profiles as package data, and the
`scrapy` entry point naming crawler.settings); `pip install .` does not need this file.
"""
from setuptools import setup

setup()
