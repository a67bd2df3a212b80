"""Scale: dispersions, batch campaigns and Dask scale-out."""
