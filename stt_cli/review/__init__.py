"""Help for the reviewer who checks a machine transcript before it is certified: calibrated confidence
(``confidence``), and the short list of spans worth a listen (``spans``), which the review TSV, the JSON and the
HTML page show."""
