"""Batches past one process: claims (``claims``) so that workers on one machine or many never do a recording
twice, shards (``shards``) that split a batch by the scheduler's array variables, failures noted for other
workers to see (``failures``), a batch's state read from the files beside its outputs (``status``), and
``--jobs`` worker processes on one machine (``workers``)."""
