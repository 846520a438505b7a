"""What stt leaves beside a recording's outputs, all named by one rule (``sidecars``): the record of what was
written (``resume``), the whole transcript kept for reuse (``reuse``), a worker's claim (``claims``) and a
failure note for ``stt status`` (``failures``)."""
