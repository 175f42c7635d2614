"""``residency-guard catalog import``: OpenAI's "Data controls" page -> the page-derived files.

``tables`` reads the page's two residency tables into typed rows and knows nothing of the
catalog; ``importer`` maps the rows onto ``regions.yaml``, ``surfaces.yaml`` and
``models.yaml`` and writes them once the catalog they make loads. Nothing here runs when a
gate judges a file: the gates read the files this writes.
"""
