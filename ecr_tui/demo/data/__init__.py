"""Deterministic, realistic registry content for the demo, the tests and the benchmarks.

Nothing here knows about moto or HTTP: this package only describes what a
registry holds, and `ecr_tui.demo.endpoint` serves it. The same seed always
gives the same repositories, images, digests and findings; timestamps are
offsets from `now`, so the content always looks recent.

It is built to scale (2,000 repositories, one of them with 100,000 images):
images are produced by a generator, a manifest is rebuilt from its image's seed
when asked for, and findings are derived on demand from a per-repository pool,
so nothing large is stored per image. `dataset.build_dataset` is where to start.
"""
