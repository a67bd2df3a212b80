"""Web viewer and JSON API (``gyrfalcon serve``).

* :mod:`~gyrfalcon.web.app`: the FastAPI application (:func:`~gyrfalcon.web.app.create_app`,
  :class:`~gyrfalcon.web.app.WebConfig`), the endpoints and the viewer page;
* :mod:`~gyrfalcon.web.security`: the write token (0600 file), request-size and rate limits;
* :mod:`~gyrfalcon.web.jobs`: background mission runs with phase progress;
* ``static/``: the viewer page and script; ``static/vendor/cesium/`` holds the CesiumJS build
  (copied from npm by ``web/build_cesium.sh``; ``$GYRFALCON_CESIUM_DIR`` overrides it).

Nothing here is imported by ``import gyrfalcon`` (FastAPI loads only when the server starts).
"""
