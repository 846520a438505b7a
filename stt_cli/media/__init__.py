"""What comes in: a recording told from other files by its first bytes (``sniff``), probed for its tracks and
length before any decoding (``probe``), decoded to 16 kHz with PyAV (``decode``), and metered as it streams by
(``levels``)."""
