"""Sphinx configuration of the Gyrfalcon documentation.

Built offline (no intersphinx, no remote images), with warnings as errors in CI
(``tests/test_docs.py``: ``python -m sphinx -W``). The tutorials in ``tutorials/`` are Python
scripts that sphinx-gallery runs while the pages build: a tutorial that fails fails the build.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
if SRC.is_dir():                       # the checkout's package wins over an installed copy
    sys.path.insert(0, str(SRC))
sys.path.insert(0, str(HERE / "_ext"))
os.environ.setdefault("MPLBACKEND", "Agg")

import gyrfalcon  # noqa: E402

project = "Gyrfalcon"
author = "Gyrfalcon developers"
copyright = "Gyrfalcon developers, Apache-2.0"
release = version = gyrfalcon.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_ext", "auto_tutorials/*.ipynb", "auto_tutorials/*.py", "auto_tutorials/*.zip",
                    "auto_tutorials/*.json", "tutorials/README.rst", "**/*.md5", "**/*.pickle"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]     # models.md starts below h1 in places; a style choice, not an error

autodoc_default_options = {"members": True, "member-order": "bysource", "show-inheritance": True}
autodoc_typehints = "description"
autodoc_mock_imports: list = []
napoleon_numpy_docstring = True
napoleon_google_docstring = False

html_theme = "alabaster"
html_title = f"Gyrfalcon {release}"
html_static_path: list = []
html_theme_options = {"description": "Crewed flights to a space station, end to end", "fixed_sidebar": True}


sphinx_gallery_conf = {
    "examples_dirs": "tutorials",
    "gallery_dirs": "auto_tutorials",
    "filename_pattern": r"/tut_",
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": True,
    "image_scrapers": ("gyrfalcon_docs.figure_scraper",),
    "download_all_examples": False,
    "remove_config_comments": True,
    "capture_repr": ("__repr__",),
    "ignore_repr_types": r"matplotlib|NoneType",
    "show_memory": False,
    "show_signature": False,
    "line_numbers": False,
    "reference_url": {},
    "backreferences_dir": None,
    "write_computation_times": True,
}
