"""One module per native source format. Each exposes a pure `to_document(record, tier) -> Document`
(raising `RecordError` for a malformed record) and `read_file(path, tier, label)` that yields
Documents and `ReadIssue`s for skipped records."""
