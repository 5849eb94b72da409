"""The library: article files in, searchable sentences out.

Files are parsed (`corpus`), split into sentences (`chunking`), tokenized by pyvi and embedded by
e5 once at ingestion (`ingest`, `embed`), indexed for BM25 (`index`) and stored in a cache entry
that a restart memory-maps (`store`). `knowledge.KnowledgeBase` is what the answering stage reads:
sentences with their words, vectors, BM25 scores and articles. `archive` is the articles folder
as live news writes it.
"""
