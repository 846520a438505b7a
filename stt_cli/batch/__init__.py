"""Many recordings: the arguments turned into recordings (``inputs``), checks made before any work (``guards``),
what a batch is asked to do and the batch under way (``job``), the walk over the recordings with one loaded
model (``run``) and the work on each (``recording``), what each came to and the summary (``outcomes``), a
worker's share of a cluster's batch (``shards``), a batch's state read from the files beside its outputs
(``status``), and formats rendered again from transcripts with no model (``render``)."""
