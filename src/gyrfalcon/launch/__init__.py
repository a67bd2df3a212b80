"""Launch: sites and pads with status and interlocks, Soyuz-2.1a ascent, launch windows."""
