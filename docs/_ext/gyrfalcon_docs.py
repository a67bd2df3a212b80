"""Build helpers of the Gyrfalcon docs (not part of the package)."""
from __future__ import annotations

import weakref

_SEEN: "weakref.WeakSet" = weakref.WeakSet()


def figure_scraper(block, block_vars, gallery_conf):
    """sphinx-gallery image scraper: save the matplotlib Figures a tutorial block left in its
    namespace (``.plot()`` returns a Figure without pyplot, which the default scraper would miss)."""
    from matplotlib.figure import Figure
    from sphinx_gallery.scrapers import figure_rst

    paths = []
    for value in list(block_vars["example_globals"].values()):
        if isinstance(value, Figure) and value not in _SEEN:
            _SEEN.add(value)
            path = next(block_vars["image_path_iterator"])
            value.savefig(path, dpi=80)
            paths.append(path)
    return figure_rst(paths, gallery_conf["src_dir"])
