"""Search over cases and the OCR text of their documents (OpenSearch).

``mappings`` says how fields are analysed (Arabic and French), ``sources``
turns DynamoDB items into index documents, ``indices`` creates the versioned
indices behind their aliases and reindexes, ``indexing`` applies DynamoDB
stream changes, ``query`` parses and builds a search, ``service`` runs it for a
caller with the access filter and the re-check, ``reconcile`` repairs drift.
"""
